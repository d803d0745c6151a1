import ArgumentParser
import Foundation
import LedgerModel
import LedgerProtocol
import LedgerStore

extension MonitorCommand {
    struct Scrape: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Scrape a Prometheus endpoint of the serving app into signed production points, until stopped.",
            usage: "mledger monitor scrape http://127.0.0.1:8000/metrics --env production --every 30s --metrics accuracy,predictions",
            discussion: """
                Samples labelled model_version="N" belong to that version (a number, alias or id prefix); the others \
                to the version deployed in the environment at the time of the scrape. Without --metrics every sample \
                but histogram buckets is recorded. An endpoint that is down or answers an error is reported on \
                standard error and tried again at the next interval; stopping and starting again loses nothing \
                but the scrapes in between. --json prints one line per scrape.
                """)
        @Argument(help: "The metrics URL of the serving app.") var url: String
        @OptionGroup var target: Target
        @Option(help: "Time between scrapes: 30s, 1m, 500ms.") var every = "30s"
        @Option(help: "Comma-separated metric names to keep (a name keeps its _sum, _count, _total family).") var metrics: String?
        @Option(help: "Stop after this many scrapes (default: run until stopped).") var count: Int?
        @OptionGroup var output: OutputOptions

        func run() async throws {
            guard let interval = DurationText.parse(every), interval > 0 else {
                throw ValidationError("--every '\(every)' is not a duration such as 30s")
            }
            guard let endpoint = URL(string: url), ["http", "https"].contains(endpoint.scheme ?? "") else {
                throw ValidationError("'\(url)' is not an http(s) URL")
            }
            let session = try Session.open()
            let model = try target.resolve(session.ledger)
            let names = metrics?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
            let scraper = Scraper(
                session: session, signer: try session.signer(), model: model, environment: target.env, url: endpoint, metrics: names,
                timeout: max(1, min(10, Double(interval) / 1000)))
            if !output.json {
                FileHandle.standardError.write(Data("mledger: scraping \(url) every \(every) for \(model.name) in \(target.env)\n".utf8))
            }
            var done = 0
            var wasFailing = false
            while count.map({ done < $0 }) ?? true {
                let started = ContinuousClock.now
                let outcome = await scraper.scrape()
                done += 1
                if output.json { try Output.jsonLine(outcome) }
                if let error = outcome.error, !wasFailing || output.json {
                    FileHandle.standardError.write(Data("mledger: scrape failed (\(error)); trying again every \(every)\n".utf8))
                } else if outcome.error == nil && wasFailing {
                    FileHandle.standardError.write(Data("mledger: \(url) answers again\n".utf8))
                }
                wasFailing = outcome.error != nil
                if count.map({ done >= $0 }) ?? false { break }
                let next = started + .milliseconds(Int64(clamping: interval))
                if next > .now { try await Task.sleep(until: next) }
            }
        }
    }
}
