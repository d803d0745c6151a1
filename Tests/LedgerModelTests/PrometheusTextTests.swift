import Testing

@testable import LedgerModel

@Suite struct PrometheusTextTests {
    @Test func readsSamplesLabelsSpecialValuesAndTimestamps() {
        let text = """
            # HELP predictions_total Predictions served.
            # TYPE predictions_total counter
            predictions_total{model_version="3"} 1027
            prediction_latency_seconds_bucket{le="+Inf",model_version="3"} 1027
            prediction_latency_seconds_sum 12.5e-1
            rolling_accuracy NaN
            up{job="a \\"b\\"",path="c\\\\d"} +Inf 1767225600000
            odd line without a value
            9bad 1
            x{a="1" 2
            """
        let parsed = PrometheusText.parse(text)
        #expect(parsed.skipped == 3)
        #expect(parsed.samples.count == 5)
        #expect(parsed.samples[0] == PrometheusSample(name: "predictions_total", labels: ["model_version": "3"], value: 1027))
        #expect(parsed.samples[1].labels["le"] == "+Inf")
        #expect(parsed.samples[2].value == 1.25)
        #expect(parsed.samples[3].value.isNaN)
        #expect(parsed.samples[4].labels == ["job": "a \"b\"", "path": "c\\d"])
        #expect(parsed.samples[4].value == .infinity)
        #expect(parsed.samples[4].timestamp == 1_767_225_600_000)
    }

    @Test func keysLeaveOutTheVersionLabelAndSortTheRest() {
        let s = PrometheusSample(name: "http_requests_total", labels: ["model_version": "3", "code": "200", "a": "x\"y"], value: 1)
        #expect(s.key(excluding: ["model_version"]) == #"http_requests_total{a="x\"y",code="200"}"#)
        #expect(PrometheusSample(name: "up", value: 1).key() == "up")
    }
}

@Suite struct ScrapeSelectionTests {
    let samples = PrometheusText.parse(
        """
        predictions_total{model_version="3"} 10
        predictions_total{model_version="4"} 2
        latency_seconds_bucket{le="0.1"} 5
        latency_seconds_sum 1.5
        latency_seconds_count 5
        latency_seconds_created 1.7e9
        rolling_accuracy{model_version="4"} 0.91
        python_gc_objects_collected_total{generation="0"} 12
        """
    ).samples

    @Test func namedMetricsTakeTheirFamiliesAndGroupByVersion() {
        let g = ScrapeSelection.group(samples, metrics: ["predictions", "latency_seconds", "rolling_accuracy"])
        #expect(g["3"]?.keys.sorted() == ["predictions_total"])
        #expect(g["4"]?.keys.sorted() == ["predictions_total", "rolling_accuracy"])
        #expect(g[nil]?.keys.sorted() == ["latency_seconds_count", "latency_seconds_sum"])
    }

    @Test func withoutAListEverythingButBucketsAndCreationStamps() {
        let g = ScrapeSelection.group(samples, metrics: [])
        #expect(g[nil]?.keys.sorted() == ["latency_seconds_count", "latency_seconds_sum", #"python_gc_objects_collected_total{generation="0"}"#])
    }
}
