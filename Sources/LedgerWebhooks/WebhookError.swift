/// What can go wrong with a subscription or a delivery, each saying what to do about it.
public enum WebhookError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownEvent(String)
    case badURL(String)
    case refusedAddress(host: String, address: String)
    case unresolvable(String)
    case missingSecret
    case notFound(String)
    case store(String)

    public var description: String {
        switch self {
        case .unknownEvent(let name):
            let known = WebhookCatalog.events.map(\.name).joined(separator: ", ")
            return name.isEmpty
                ? "name at least one event (or '*'): \(known)"
                : "'\(name)' is not a webhook event; the events are: \(known) (or '*' for all)"
        case .badURL(let url): return "'\(url.prefix(200))' is not an http(s) URL with a host, such as https://hooks.example.org/mlflow"
        case .refusedAddress(let host, let address):
            return "\(host) resolves to \(address), a link-local or cloud metadata address: webhooks do not call those "
                + "(start the server with --webhook-allow-link-local if this receiver really lives there)"
        case .unresolvable(let host): return "cannot resolve \(host): check the receiver's host name"
        case .missingSecret: return "a webhook needs a secret to sign its deliveries (MLflow's X-MLflow-Signature): give one"
        case .notFound(let id): return "no webhook '\(id.prefix(80))': `mledger webhook list` shows them"
        case .store(let message): return "webhook store: \(message)"
        }
    }
}
