import Testing

@testable import LedgerProtocol

@Suite struct DeploymentBodyTests {
    let model = Hashing.blake2b256([1])
    let version = Hashing.blake2b256([2])

    func roundTrip(_ body: some BodyFields) throws -> EventBody {
        try EventBody.decode(kind: type(of: body).kind, bytes: body.encoded())
    }

    @Test func bodiesRoundTrip() throws {
        let record = DeploymentRecord(model: model, version: version, environment: "production", target: "k8s/eu-1", reason: "beats v1 on holdout")
        #expect(try roundTrip(record) == .deploymentRecord(record))
        let rollback = DeploymentRollback(model: model, environment: "production", version: version, from: model, reason: "latency")
        #expect(try roundTrip(rollback) == .deploymentRollback(rollback))
        let protect = EnvironmentProtect(environment: "production", role: .maintainer)
        #expect(try roundTrip(protect) == .environmentProtect(protect))
        let points = MonitorPoints(
            model: model, environment: "production", version: version,
            series: ["accuracy": [MetricPoint(step: 0, timestamp: 5, value: 0.5)]], source: "http://127.0.0.1:9/metrics")
        #expect(try roundTrip(points) == .monitorPoints(points))
        let rule = MonitorRule(
            model: model, environment: "production",
            definition: .init(
                metric: "accuracy", condition: .drift, threshold: 12.5, forMs: 60_000, command: "make retrain", baseline: "val_accuracy"))
        #expect(try roundTrip(rule) == .monitorRule(rule))
        let removal = MonitorRule(model: model, environment: "production", remove: version)
        #expect(try roundTrip(removal) == .monitorRule(removal))
        let alert = MonitorAlert(
            rule: version, model: model, environment: "production", version: version, metric: "accuracy",
            points: [MetricPoint(step: 1, timestamp: 9, value: 0.1)], baseline: 0.9, summary: "accuracy below 0.8")
        #expect(try roundTrip(alert) == .monitorAlert(alert))
    }

    func invalid(_ kind: EventKind, _ map: [String: CBOR]) -> Bool {
        (try? EventBody.decode(kind: kind, bytes: CBOR.map(map).encoded())) == nil
    }

    @Test func badBodiesAreRefused() {
        let base: [String: CBOR] = [
            "model": .bytes(model.bytes), "environment": .text("production"), "metric": .text("accuracy"), "condition": .text("below"),
            "threshold": .double(0.8), "for_ms": .unsigned(0),
        ]
        #expect(!invalid(.monitorRule, base))
        #expect(invalid(.monitorRule, base.merging(["threshold": .double(.nan)]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["threshold": .unsigned(1)]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["condition": .text("sideways")]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["baseline": .text("val")]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["command": .text("  ")]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["remove": .bytes(version.bytes)]) { $1 }))
        #expect(invalid(.monitorRule, base.merging(["condition": .text("drift"), "threshold": .double(-1)]) { $1 }))
        let record: [String: CBOR] = [
            "model": .bytes(model.bytes), "version": .bytes(version.bytes), "environment": .text("production"), "reason": .text("ok"),
        ]
        #expect(!invalid(.deploymentRecord, record))
        #expect(invalid(.deploymentRecord, record.merging(["reason": .text(" ")]) { $1 }))
        #expect(invalid(.deploymentRecord, record.merging(["environment": .text("pre\u{301}prod")]) { $1 }))
        #expect(invalid(.deploymentRecord, record.filter { $0.key != "version" }))
        let alert: [String: CBOR] = [
            "rule": .bytes(version.bytes), "model": .bytes(model.bytes), "environment": .text("production"), "version": .bytes(version.bytes),
            "metric": .text("accuracy"), "points": .bytes(MetricPoint.pack([MetricPoint(step: 0, timestamp: 0, value: 1)])),
            "summary": .text("fired"),
        ]
        #expect(!invalid(.monitorAlert, alert))
        #expect(invalid(.monitorAlert, alert.merging(["points": .bytes([])]) { $1 }))
        #expect(invalid(.monitorAlert, alert.merging(["points": .bytes([UInt8](repeating: 0, count: 25))]) { $1 }))
    }
}
