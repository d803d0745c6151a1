import ArgumentParser
import LedgerModel
import LedgerProtocol
import LedgerStore

/// How deployment and monitoring commands name a model and a version.
enum Deployed {
    /// A version of a model: by alias (`production`), display number (`3`, `v3`) or id prefix.
    static func version(_ ledger: Ledger, model: LedgerID, _ text: String) throws -> LedgerID {
        if let state = try ledger.aliases(model: model)[text.nfc] {
            guard let v = state.winner?.value ?? nil else { throw StoreError.notFound(what: "version behind alias", name: text) }
            return v
        }
        return try ledger.versionID(model: model, text)
    }

    /// `MODEL@REF`, or `MODEL` followed by a separate `VERSION`.
    static func version(_ ledger: Ledger, reference: String, version: String?) throws -> (model: LedgerID, name: String, version: LedgerID) {
        let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
        guard let name = parts.first, let ref = parts.count == 2 ? parts[1] : version, parts.count == 1 || version == nil else {
            throw ValidationError("give MODEL@ALIAS, MODEL@VERSION or MODEL VERSION, e.g. digits@production or digits 3")
        }
        let model = try ledger.modelID(named: name)
        return (model, name, try self.version(ledger, model: model, ref))
    }

    /// The model a command about `environment` means: the one named, else the only one serving there.
    static func model(_ ledger: Ledger, named name: String?, environment: String) throws -> (id: LedgerID, name: String) {
        if let name { return (try ledger.modelID(named: name), name) }
        let serving = try ledger.currentDeployments(environment: environment)
        guard serving.count == 1, let only = serving.first, let id = LedgerID(hex: only.stint.model) else {
            let names = serving.map(\.model).joined(separator: ", ")
            throw ValidationError(
                serving.isEmpty
                    ? "no model is deployed in \(environment): record one with `mledger deploy record MODEL@ALIAS --env \(environment) --reason ...`"
                    : "several models serve in \(environment) (\(names)): name one with --model")
        }
        return (id, only.model)
    }

    /// The current stint of a model in an environment, or an error that says how to make one.
    static func serving(_ ledger: Ledger, model: (id: LedgerID, name: String), environment: String) throws -> Stint {
        guard let stint = try ledger.stints(model: model.id, environment: environment).last else {
            throw ValidationError(
                "\(model.name) is not deployed in \(environment): record it with `mledger deploy record \(model.name)@ALIAS --env \(environment) --reason ...`"
            )
        }
        return stint
    }
}
