import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol

/// `--json` for every command that reads: scripts get stable, complete JSON; people get tables.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table, for scripts.")
    var json = false
}

enum Output {
    /// NaN and infinities (valid metric values) are written as the strings "NaN", "Infinity", "-Infinity".
    private static func encoder(_ formatting: JSONEncoder.OutputFormatting) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting.union([.sortedKeys, .withoutEscapingSlashes])
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    static func json<T: Encodable>(_ value: T) throws {
        print(String(decoding: try encoder(.prettyPrinted).encode(value), as: UTF8.self))
    }

    /// One compact JSON object per line, flushed at once (for streams another program reads).
    static func jsonLine<T: Encodable>(_ value: T) throws {
        let encoder = encoder([])
        FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
    }

    /// A plain-text table with aligned columns.
    static func table(_ header: [String], _ rows: [[String]]) {
        guard !rows.isEmpty else { return }
        let widths = header.indices.map { i in
            ([header[i]] + rows.map { i < $0.count ? $0[i] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                i == cells.count - 1 ? c : c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print(line(header))
        for row in rows { print(line(row)) }
    }

    static func time(_ ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms) / 1000).formatted(
            .iso8601.year().month().day().time(includingFractionalSeconds: false).timeSeparator(.colon).dateSeparator(.dash).dateTimeSeparator(.space)
        )
    }

    static func number(_ v: Double?) -> String {
        guard let v else { return "-" }
        if v.isNaN { return "NaN" }
        return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v)
    }
}

/// A one-line progress bar on standard error, drawn only when a person is watching (a TTY).
struct Progress: Sendable {
    let label: String
    let enabled = isatty(STDERR_FILENO) != 0 && isatty(STDOUT_FILENO) != 0

    /// Clears the progress line, so the summary that follows starts on a clean line.
    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1b}[K".utf8))
    }

    /// A progress line without a known total.
    func status(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(label): \(text)\u{1b}[K".utf8))
    }

    func update(_ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(done)/\(total)".utf8))
        if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
