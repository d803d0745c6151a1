extension RelayClient {
    /// A signed JSON request to one of the relay's APIs beyond sync (webhooks): the answer's body, or
    /// `SyncError.refused` with the relay's message.
    public func json(_ method: String, _ target: String, body: [UInt8] = []) async throws -> [UInt8] {
        try await send(method, target, body: body, contentType: body.isEmpty ? nil : "application/json").body
    }
}
