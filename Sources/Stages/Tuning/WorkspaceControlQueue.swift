import Foundation
import Pipeline
import SystemIO
import Tuner

/// Requests to running experiments in the workspace's state database: `labmake serve --control` adds
/// them (``ask(_:experiment:)``), the run that drives the experiment answers them.
public final class WorkspaceControlQueue: ExperimentControlQueue, @unchecked Sendable {
    public let database: StateDatabase
    private let clock: any Clock
    /// Receives a line for each request answered, for the run's output.
    private let log: @Sendable (String) -> Void
    private let taken = Locked([Int64: ControlAction]())

    public init(database: StateDatabase, clock: any Clock = SystemClock(), log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.database = database
        self.clock = clock
        self.log = log
    }

    /// Queues `action` for `experiment`; returns the request's id.
    @discardableResult
    public func ask(_ action: ControlAction, experiment: String) throws -> Int64 {
        try database.addControlRequest(experiment: experiment, action: Self.encode(action), time: clock.now())
    }

    public func pendingRequests(experiment: String) throws -> [ControlRequest] {
        let requests = try database.pendingControlRequests(experiment: experiment).compactMap { stored -> ControlRequest? in
            // A request that this labmake cannot read (a newer one's) is answered, not left pending.
            guard let action = Self.decode(stored.action) else {
                try database.answerControlRequest(id: stored.id, state: "refused", answer: "this labmake does not know the request \(stored.action)",
                                                  time: clock.now())
                return nil
            }
            return ControlRequest(id: stored.id, action: action, requestedAt: stored.requestedAt)
        }
        taken.withLock { for request in requests { $0[request.id] = request.action } }
        return requests
    }

    public func answer(_ id: Int64, _ answer: ControlAnswer) throws {
        let state: String
        switch answer {
        case .applied: state = "applied"
        case .refused: state = "refused"
        }
        try database.answerControlRequest(id: id, state: state, answer: answer.message, time: clock.now())
        let action = taken.withLock { $0.removeValue(forKey: id) }
        log("labmake serve asked \(action?.summary ?? "request \(id)"): \(state == "applied" ? "" : "refused: ")\(answer.message)")
    }

    /// The stored form of an action: JSON.
    public static func encode(_ action: ControlAction) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(action)) ?? Data(), as: UTF8.self)
    }

    /// An action from its stored form; nil when it is not one.
    public static func decode(_ text: String) -> ControlAction? {
        try? JSONDecoder().decode(ControlAction.self, from: Data(text.utf8))
    }
}
