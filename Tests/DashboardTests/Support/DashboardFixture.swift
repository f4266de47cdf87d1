import Dashboard
import Foundation
import Pipeline
import Stages
import Tuner

/// A workspace built by code for a dashboard test, in a temporary folder removed at the end: trials are
/// written through the same store a run uses, from this process, as a run beside the server would.
final class DashboardFixture: @unchecked Sendable {
    let root: String
    let workspace: Workspace
    let store: WorkspaceTrialStore
    /// The experiments' first trial starts here.
    let origin = Date(timeIntervalSince1970: 1_790_000_000)

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-dashboard-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        workspace = try Workspace(root: root)
        store = WorkspaceTrialStore(database: workspace.database)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// A trial whose parameters are `parameters`, started `start` seconds after ``origin``.
    func trial(_ number: Int, _ status: TrialStatus = .succeeded, metric: Double? = nil, parameters: [String: ParameterValue] = [:],
               intermediates: [Double] = [], start: Double? = nil, seconds: Double = 10, error: String? = nil, reused: Bool = false,
               key: String? = nil) -> TrialRecord {
        let began = start ?? Double(number - 1) * seconds
        var trial = TrialRecord(number: number, configuration: Configuration(values: parameters), key: key ?? "key-\(number)-\(parameters)",
                                status: status, startedAt: origin.addingTimeInterval(began),
                                endedAt: status.isFinal ? origin.addingTimeInterval(began + seconds) : nil,
                                metric: metric, intermediates: intermediates, error: error, reused: reused)
        trial.metricDetails = nil
        return trial
    }

    func save(_ trials: [TrialRecord], experiment: String) throws {
        for t in trials { try store.save(t, experiment: experiment) }
    }

    /// Starts a server on a free port over this workspace.
    func serve(pipeline: PipelineStateSource? = nil, control: ControlChannel? = nil, urlPrefix: String = "") async throws -> (DashboardServer, HTTPProbe) {
        let server = try DashboardServer(reader: try WorkspaceReader(root: root), pipeline: pipeline, host: "127.0.0.1", port: 0, control: control,
                                         urlPrefix: urlPrefix)
        let port = try await server.start()
        return (server, HTTPProbe(port: port))
    }
}

/// Waits until `condition` holds, checking every 50 ms, for at most `seconds`; true when it held.
func eventually(_ seconds: Double = 60, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}

/// Waits until `condition` holds, checking every 100 ms, for at most `seconds`; true when it held.
func eventuallyAsync(_ seconds: Double = 60, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(nanoseconds: 100_000_000)
    }
    return try await condition()
}
