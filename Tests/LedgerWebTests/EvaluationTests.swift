import Foundation
import LedgerModel
import LedgerProtocol
import Testing

@testable import LedgerWeb

/// Evaluation results as the MLflow client writes them: each JSON below is the exact file MLflow 3.17
/// (`log_dict`, `log_table`) and pandas 3.1 wrote for the same confusion matrix of three classes.
@Suite struct EvaluationTests {
    static let expected = ConfusionMatrix(
        actual: ["bird", "cat", "dog"], predicted: ["bird", "cat", "dog"], counts: [[1, 0, 0], [0, 1, 1], [0, 1, 2]])

    static let written: [(String, String)] = [
        (
            "log_dict({'labels': labels, 'matrix': cm.tolist()})",
            "{\n  \"labels\": [\n    \"bird\",\n    \"cat\",\n    \"dog\"\n  ],\n  \"matrix\": [\n    [\n      1,\n      0,\n      0\n    ],\n    [\n      0,\n      1,\n      1\n    ],\n    [\n      0,\n      1,\n      2\n    ]\n  ]\n}"
        ),
        ("log_table(DataFrame(cm, columns=labels))", "{\"columns\":[\"bird\",\"cat\",\"dog\"],\"data\":[[1,0,0],[0,1,1],[0,1,2]]}"),
        (
            "log_table(DataFrame(cm, columns=labels, index=labels).reset_index(names='actual'))",
            "{\"columns\":[\"actual\",\"bird\",\"cat\",\"dog\"],\"data\":[[\"bird\",1,0,0],[\"cat\",0,1,1],[\"dog\",0,1,2]]}"
        ),
        (
            "log_table({'actual': y, 'predicted': p})",
            "{\"columns\":[\"actual\",\"predicted\"],\"data\":[[\"cat\",\"cat\"],[\"dog\",\"dog\"],[\"cat\",\"dog\"],[\"bird\",\"bird\"],[\"dog\",\"cat\"],[\"dog\",\"dog\"]]}"
        ),
        (
            "log_table(crosstab(...).stack().reset_index(name='count'))",
            "{\"columns\":[\"actual\",\"predicted\",\"count\"],\"data\":[[\"bird\",\"bird\",1],[\"bird\",\"cat\",0],[\"bird\",\"dog\",0],[\"cat\",\"bird\",0],[\"cat\",\"cat\",1],[\"cat\",\"dog\",1],[\"dog\",\"bird\",0],[\"dog\",\"cat\",1],[\"dog\",\"dog\",2]]}"
        ),
        (
            "log_dict(DataFrame(cm, columns=labels, index=labels).to_dict())",
            "{\n  \"bird\": {\n    \"bird\": 1,\n    \"cat\": 0,\n    \"dog\": 0\n  },\n  \"cat\": {\n    \"bird\": 0,\n    \"cat\": 1,\n    \"dog\": 1\n  },\n  \"dog\": {\n    \"bird\": 0,\n    \"cat\": 1,\n    \"dog\": 2\n  }\n}"
        ),
    ]

    @Test func confusionMatricesInEveryShapeTheClientWrites() throws {
        for (how, json) in Self.written {
            let m = try ConfusionMatrix(json: Array(json.utf8))
            #expect(m == Self.expected, "\(how)")
        }
        let bare = try ConfusionMatrix(json: Array("[\n  [\n    1,\n    0\n  ],\n  [\n    3,\n    4\n  ]\n]".utf8))
        #expect(bare.actual == ["0", "1"] && bare.counts == [[1, 0], [3, 4]])
        let indexed = try ConfusionMatrix(json: Array(#"{"columns":["a","b"],"index":["x","y"],"data":[[1,2],[3,4]]}"#.utf8))
        #expect(indexed.actual == ["x", "y"] && indexed.predicted == ["a", "b"])
        let nested = try ConfusionMatrix(json: Array(#"{"confusion_matrix": {"classes": [0, 1], "values": [[0.9, 0.1], [0.25, 0.75]]}}"#.utf8))
        #expect(nested.actual == ["0", "1"] && nested.counts[1] == [0.25, 0.75])
        let huge = try ConfusionMatrix(json: Array("[[9007199254740993, 0], [0, 1]]".utf8))
        #expect(huge.counts[0][0] == Double(9_007_199_254_740_993 as Int64))
        #expect(Self.expected.accuracy == 4.0 / 6 && Self.expected.total == 6)
    }

    @Test func whatIsNotAConfusionMatrixSaysWhy() {
        func problem(_ json: String) -> String? {
            do {
                _ = try ConfusionMatrix(json: Array(json.utf8))
                return nil
            } catch { return error.message }
        }
        #expect(problem("{") == "not valid JSON")
        #expect(problem("[[1, 2], [3]]")?.contains("not square") == true)
        #expect(problem("[[1, \"x\"], [3, 4]]")?.contains("row 1 holds something other than numbers") == true)
        #expect(problem("[]") == "the matrix is empty")
        #expect(problem("{\"accuracy\": 0.9}")?.contains("no matrix found") == true)
        #expect(problem(#"{"columns":["a","b","c","d"],"data":[[1]]}"#)?.contains("not a confusion matrix") == true)
        #expect(problem("\"text\"") == "expected an object or a list of rows")
        let many = "{\"columns\":[\"a\",\"p\"],\"data\":[" + (0..<600).map { "[\"\($0)\",\"x\"]" }.joined(separator: ",") + "]}"
        #expect(problem(many) == "more than 500 classes")
    }

    @Test func metricsPerDatasetComeFromTheirNames() throws {
        #expect(DatasetMetrics.split("val/acc")! == ("val", "acc"))
        #expect(DatasetMetrics.split("test_accuracy")! == ("test", "accuracy"))
        #expect(DatasetMetrics.split("accuracy-holdout")! == ("holdout", "accuracy"))
        #expect(DatasetMetrics.split("Train.loss")! == ("train", "loss"))
        #expect(DatasetMetrics.split("loss") == nil && DatasetMetrics.split("/x") == nil && DatasetMetrics.split("testing") == nil)
        let table = try #require(DatasetMetrics(keys: ["train/loss", "val/loss", "test_loss", "val/acc", "test_acc", "lr", "system/cpu"]))
        #expect(table.datasets == ["train", "val", "test"])
        #expect(table.metrics == ["acc", "loss"])
        #expect(table.keys["loss"]?["test"] == "test_loss")
        #expect(DatasetMetrics(keys: ["train/loss", "lr"]) == nil, "one dataset is no comparison")
        #expect(DatasetMetrics(keys: ["train/loss", "val/acc"]) == nil, "no metric shared")
    }

    @Test func previewsAreChosenByNameAndPNGsSizedFromTheirHeader() {
        #expect(ArtifactPreview.kind(of: "plots/ROC.PNG") == .png)
        #expect(ArtifactPreview.kind(of: "figure.svg") == .svg)
        #expect(ArtifactPreview.kind(of: "eval/confusion_matrix.json") == .confusionMatrix)
        #expect(ArtifactPreview.kind(of: "metrics.json") == nil && ArtifactPreview.kind(of: "confusion.csv") == nil)
        #expect(ArtifactPreview.Kind.svg.contentType == "image/svg+xml" && ArtifactPreview.Kind.confusionMatrix.contentType == nil)
        var header: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        header += [0, 0, 2, 128, 0, 0, 1, 224]
        #expect(ArtifactPreview.pngSize(header)! == (640, 480))
        #expect(ArtifactPreview.pngSize(Array(header.prefix(20))) == nil)
        #expect(ArtifactPreview.pngSize(Array("GIF89a not a png at all".utf8)) == nil)
    }
}
