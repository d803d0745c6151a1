import LedgerModel
import LedgerProtocol
import LedgerStore

extension RunSearch {
    /// `search_runs` as a search SQLite answers, with MLflow's rules: the fields `Translation.field`
    /// reads, text compared as text, missing values failing every clause and sorting last, ties newest
    /// start first. Nil when a clause or an order names a field only a whole run gives (`user_id`,
    /// `artifact_uri`): the caller then searches the runs in memory.
    static func mlflow(experiments: [LedgerID], filter: SearchFilter, orders: [SearchOrder], viewType: String?) -> RunSearch? {
        var conditions = [Condition]()
        for clause in filter.clauses {
            switch MLflowColumn(clause.entity, clause.key) {
            case .unsupported: return nil
            case .absent: conditions.append(Condition(.name) { _ in false })
            case .column(let column, let read): conditions.append(Condition(column) { clause.matches(read($0)) })
            }
        }
        var sorts = [Order]()
        for order in orders {
            switch MLflowColumn(order.entity, order.key) {
            case .unsupported: return nil
            case .absent: continue
            case .column(let column, let read):
                sorts.append(
                    Order(column, descending: !order.ascending) { value in
                        switch read(value) {
                        case .number(let x): RunTable.Value.number(x).orderKey
                        case .text(let s): RunTable.Value.text(s).orderKey
                        case nil: []
                        }
                    })
            }
        }
        let deleted: Deleted =
            switch viewType?.uppercased() {
            case "ALL", "3": .included
            case "DELETED_ONLY", "2": .only
            default: .hidden
            }
        return RunSearch(experiments: experiments, deleted: deleted, conditions: conditions, orders: sorts, newest: .startTime)
    }
}

/// Where a search field of MLflow's lives in SQL, and how its value reads as MLflow's.
private enum MLflowColumn {
    case column(RunSearch.Column, @Sendable (RunTable.Value?) -> SearchFilter.FieldValue?)
    /// A field no run has.
    case absent
    case unsupported

    init(_ entity: SearchFilter.Entity, _ key: String) {
        let number: @Sendable (RunTable.Value?) -> SearchFilter.FieldValue? = { $0?.number.map { .number($0) } }
        let text: @Sendable (RunTable.Value?) -> SearchFilter.FieldValue? = { $0?.text.map { .text($0) } }
        switch (entity, key) {
        case (.metric, _): self = .column(.metric(key, .last), number)
        case (.param, _): self = .column(.param(key), text)
        case (.tag, "mlflow.runName"): self = .column(.name, text)
        case (.tag, _): self = .column(.tag(key), text)
        case (.attribute, "run_name"), (.attribute, "name"): self = .column(.name, text)
        // Stored as `finished`, shown as MLflow's `FINISHED`.
        case (.attribute, "status"): self = .column(.status, { $0?.text.map { .text($0.uppercased()) } })
        case (.attribute, "run_id"), (.attribute, "run_uuid"): self = .column(.runID, text)
        case (.attribute, "start_time"), (.attribute, "created"): self = .column(.startTime, number)
        case (.attribute, "end_time"): self = .column(.endTime, number)
        case (.attribute, "user_id"), (.attribute, "artifact_uri"): self = .unsupported
        case (.attribute, _): self = .absent
        }
    }
}
