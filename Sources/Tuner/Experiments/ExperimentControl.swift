import Foundation

/// What a user may ask of a running experiment from outside its process (`labmake serve --control`).
public enum ControlAction: Codable, Sendable, Equatable {
    /// Stop these running trials now (they end USER_CANCELED and are not rerun), or drop waiting ones.
    case kill(trials: [Int])
    /// Change `max_trials` (never below the trials already proposed).
    case setMaxTrials(Int)
    /// Run these failed or cancelled trials again, with the same parameters and numbers.
    case rerun(trials: [Int])
    /// Run one more trial with these parameters (NNI's customized trial), checked against the search space.
    case add(Configuration)

    /// The action in a few words, for logs and pages: `kill trial 3`, `max_trials 40`, `rerun trials 2, 5`.
    public var summary: String {
        switch self {
        case .kill(let trials): return "kill " + Self.trialList(trials)
        case .setMaxTrials(let count): return "max_trials \(count)"
        case .rerun(let trials): return "rerun " + Self.trialList(trials)
        case .add(let configuration): return "add a trial with " + configuration.json
        }
    }

    private static func trialList(_ numbers: [Int]) -> String {
        (numbers.count == 1 ? "trial " : "trials ") + numbers.map(String.init).joined(separator: ", ")
    }
}

/// One request to a running experiment, as the control queue holds it.
public struct ControlRequest: Sendable, Equatable {
    public var id: Int64
    public var action: ControlAction
    /// When it was asked (seconds since the epoch).
    public var requestedAt: Double

    public init(id: Int64, action: ControlAction, requestedAt: Double) {
        self.id = id
        self.action = action
        self.requestedAt = requestedAt
    }
}

/// How the experiment answered a request: done, or refused and why.
public enum ControlAnswer: Sendable, Equatable {
    case applied(String)
    case refused(String)

    public var message: String {
        switch self {
        case .applied(let message), .refused(let message): return message
        }
    }
}

/// Where requests to running experiments wait until the experiment that they name answers them: the
/// workspace database beside a run, memory in tests.
public protocol ExperimentControlQueue: Sendable {
    /// The unanswered requests for `experiment`, oldest first.
    func pendingRequests(experiment: String) throws -> [ControlRequest]
    /// Records the answer to request `id`.
    func answer(_ id: Int64, _ answer: ControlAnswer) throws
}

/// Requests in memory, for tests.
public final class MemoryControlQueue: ExperimentControlQueue, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [(experiment: String, request: ControlRequest)] = []
    /// Every answer given, by request id.
    public private(set) var answers: [Int64: ControlAnswer] = [:]

    public init() {}

    /// Queues `action` for `experiment`, asked at `time`; returns the request's id.
    @discardableResult
    public func ask(_ action: ControlAction, experiment: String, at time: Double = Date().timeIntervalSince1970) -> Int64 {
        lock.lock(); defer { lock.unlock() }
        let id = Int64(requests.count + 1)
        requests.append((experiment, ControlRequest(id: id, action: action, requestedAt: time)))
        return id
    }

    /// The answer to request `id`, once given.
    public func answer(to id: Int64) -> ControlAnswer? {
        lock.lock(); defer { lock.unlock() }
        return answers[id]
    }

    public func pendingRequests(experiment: String) throws -> [ControlRequest] {
        lock.lock(); defer { lock.unlock() }
        return requests.filter { $0.experiment == experiment && answers[$0.request.id] == nil }.map(\.request)
    }

    public func answer(_ id: Int64, _ answer: ControlAnswer) throws {
        lock.lock(); defer { lock.unlock() }
        answers[id] = answer
    }
}
