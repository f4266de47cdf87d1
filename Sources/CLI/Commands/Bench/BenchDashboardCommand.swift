import ArgumentParser
import Dashboard
import Foundation
import Pipeline
import Stages
import SystemIO
import Tuner

/// `labmake bench dashboard`: how fast `labmake serve` answers over a large experiment.
struct BenchDashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Measure the dashboard over a generated experiment (default 5,000 trials × 100 intermediate results).",
        discussion: """
            Writes the trials into a fresh workspace through the store a run uses, serves it on a free port in this \
            process, and times over HTTP: the experiment page (four charts and the first 50 rows) on the first request \
            (every trial decoded) and again (median, to the last byte), after one more trial is written, the overview, a filtered and \
            sorted page, and the JSON export. Build in release to measure.
            """)

    @Option(help: "Trials in the experiment.")
    var trials = 5000

    @Option(help: "Intermediate results per trial.")
    var steps = 100

    @Option(help: "Requests timed for each median.")
    var repeats = 7

    @Option(help: "Keep the workspace in this folder (for `labmake serve`) instead of a temporary one.")
    var keep: String?

    func validate() throws {
        guard trials >= 1, steps >= 0, repeats >= 1 else { throw ValidationError("--trials and --repeats must be at least 1, --steps at least 0") }
    }

    func run() throws {
        let root = keep ?? FileManager.default.temporaryDirectory.appendingPathComponent("labmake-bench-dashboard-\(getpid())").path
        try? FileManager.default.removeItem(atPath: root)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: root) } }
        let store = WorkspaceTrialStore(database: try Workspace(root: root).database)
        let experiment = "tune#bench"
        let origin = Date(timeIntervalSince1970: 1_790_000_000)
        var generator = SystemRandomNumberGenerator()
        let writing = Date()
        for n in 1...trials { try store.save(Self.trial(n, steps: steps, origin: origin, using: &generator), experiment: experiment) }
        print(String(format: "workspace: %d trials × %d intermediate results written in %.1f s (%@)", trials, steps,
                     Date().timeIntervalSince(writing), root))

        let server = try DashboardServer(reader: try WorkspaceReader(root: root), pipeline: nil, host: "127.0.0.1", port: 0)
        let port = try Self.wait { try await server.start() }
        let base = "http://127.0.0.1:\(port)"
        let page = base + "/experiment?name=tune%23bench"
        let (cold, body) = try Self.fetch(page)
        print(String(format: "experiment page, first request: %.0f ms, %d bytes, %d SVG marks, %d table rows", cold * 1000, body.count,
                     Self.count(body, ["<circle", "<polyline", "<rect"]), Self.count(body, ["<tr data-trial="])))
        let chart = body.range(of: "</figure>").map { body.distance(from: body.startIndex, to: $0.upperBound) } ?? body.count
        print(String(format: "  the first chart ends at byte %d of %d (%.0f%%)", chart, body.count, Double(chart) / Double(max(body.count, 1)) * 100))
        let warm = try (0..<repeats).map { _ in try Self.fetch(page).seconds }
        print(String(format: "experiment page, again: median %.0f ms (min %.0f, max %.0f)", Self.median(warm) * 1000, warm.min()! * 1000, warm.max()! * 1000))
        try store.save(Self.trial(trials + 1, steps: steps, origin: origin, using: &generator), experiment: experiment)
        print(String(format: "experiment page, after one more trial: %.0f ms", try Self.fetch(page).seconds * 1000))
        for (name, url) in [("overview", base + "/"), ("filtered, sorted by metric, page 20", page + "&filter=metric%3E0.5+lr%3C0.05&sort=metric&desc=1&page=20"),
                            ("trial page", base + "/trial?experiment=tune%23bench&number=\(trials / 2)"),
                            ("JSON export (every trial)", base + "/export.json?name=tune%23bench")] {
            let times = try (0..<repeats).map { _ in try Self.fetch(url) }
            print(String(format: "%@: median %.0f ms, %d bytes", name, Self.median(times.map(\.seconds)) * 1000, times[0].body.utf8.count))
        }
        try Self.wait { await server.stop() }
    }

    static func trial(_ n: Int, steps: Int, origin: Date, using generator: inout SystemRandomNumberGenerator) -> TrialRecord {
        let lr = pow(10, Double.random(in: -4 ... -1, using: &generator)), width = [32, 64, 128, 256].randomElement(using: &generator)!
        let final = 0.9 - abs(log10(lr) + 2.2) * 0.08 + Double(width) / 5000 + Double.random(in: -0.02...0.02, using: &generator)
        let curve = (0..<steps).map { final * (1 - 0.8 / Double($0 + 2)) + Double.random(in: -0.01...0.01, using: &generator) }
        let status: TrialStatus = n % 17 == 0 ? .earlyStopped : n % 29 == 0 ? .failed : .succeeded
        let start = origin.addingTimeInterval(Double(n) * 30)
        return TrialRecord(number: n, configuration: Configuration(values: ["lr": .double(lr), "width": .int(width),
                                                                            "optimizer": .string(n % 3 == 0 ? "adam" : "sgd")]),
                           key: "bench-\(n)", status: status, startedAt: start, endedAt: start.addingTimeInterval(Double.random(in: 40...80, using: &generator)),
                           metric: status == .succeeded ? final : nil, intermediates: status == .earlyStopped ? Array(curve.prefix(steps / 3)) : curve,
                           error: status == .failed ? "exit status 1" : nil)
    }

    /// GETs `url` (http://127.0.0.1:PORT/…) as a browser would, timed to the last byte. (Foundation's URLSession
    /// adds hundreds of milliseconds to a large page on Linux, more than the server takes.)
    static func fetch(_ url: String) throws -> (seconds: Double, body: String) {
        let parts = URLComponents(string: url)!
        let start = Date()
        let response = try LoopbackHTTP.request(port: UInt16(parts.port!), path: parts.percentEncodedPath + (parts.percentEncodedQuery.map { "?" + $0 } ?? ""))
        let seconds = Date().timeIntervalSince(start)
        guard response.status == 200 else { throw LabmakeExit(ExitStatus.stageFailed, "error: \(url) answered \(response.status)") }
        return (seconds, response.text)
    }

    /// Runs `work` on the concurrency pool and waits for it on this thread.
    static func wait<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
        let result = Locked<Result<T, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { let value = try await work(); result.withLock { $0 = .success(value) } } catch { result.withLock { $0 = .failure(error) } }
            done.signal()
        }
        done.wait()
        return try result.withLock { $0 }!.get()
    }

    static func count(_ text: String, _ needles: [String]) -> Int {
        needles.reduce(0) { $0 + text.components(separatedBy: $1).count - 1 }
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}
