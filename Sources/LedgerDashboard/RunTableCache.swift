import LedgerModel
import LedgerProtocol

/// The runs of the experiment last shown, kept until the ledger changes: paging, sorting and filtering
/// 10,000 runs then costs no database reads.
actor RunTableCache {
    private var entry: (experiment: LedgerID, mark: Int64, runs: [RunView])?

    func runs(_ experiment: LedgerID, mark: Int64) -> [RunView]? {
        guard let e = entry, e.experiment == experiment, e.mark == mark else { return nil }
        return e.runs
    }

    func keep(_ runs: [RunView], _ experiment: LedgerID, mark: Int64) {
        entry = (experiment, mark, runs)
    }
}
