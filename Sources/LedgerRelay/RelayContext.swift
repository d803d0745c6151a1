import Hummingbird
import LedgerProtocol

/// The request context of relay routes: who signed the request, once `RequestAuthenticator` checked it.
public struct RelayContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The device key that signed the request.
    public var signer: PublicKey?
    /// The role of the member the key acts for; nil before a team exists.
    public var role: Role?
    var uploadLimit: Int = 16 << 20

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { uploadLimit }
}
