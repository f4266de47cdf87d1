import Foundation

/// NNI's trial statuses.
public enum TrialStatus: String, Codable, Sendable, CaseIterable {
    case waiting = "WAITING", running = "RUNNING", succeeded = "SUCCEEDED", failed = "FAILED"
    case earlyStopped = "EARLY_STOPPED", userCancelled = "USER_CANCELED"

    /// Whether the trial is over (it counts towards `max_trials` and is never rerun).
    public var isFinal: Bool { self == .succeeded || self == .failed || self == .earlyStopped }
}

/// One trial of an experiment, as stored.
public struct TrialRecord: Codable, Sendable, Equatable {
    /// 1-based, in the order trials were proposed.
    public var number: Int
    public var configuration: Configuration
    /// Identifies the configuration together with what the trial runs (command, data, code):
    /// a trial with a key seen before is reused, not run again.
    public var key: String
    public var status: TrialStatus
    public var startedAt: Date?
    public var endedAt: Date?
    /// The final metric (`default`), as the trial reported it.
    public var metric: Double?
    /// The final metric as JSON text when the trial reported more than one number (NNI's
    /// `{"default": 0.93, "loss": 0.1}`); nil for a bare number.
    public var metricDetails: String?
    public var intermediates: [Double]
    public var error: String?
    /// Seconds the sampler took to propose it.
    public var suggestSeconds: Double
    /// Whether the result was taken from an earlier trial with the same key.
    public var reused: Bool
    /// Intermediate results the trial reported past ``Experiment/maximumIntermediates``, not kept.
    public var droppedIntermediates: Int?
    /// The trial's id where it came from, for trials imported from NNI (`Icvut`); nil for labmake's own.
    public var importedID: String?
    /// Where a scheduler ran it (a Slurm job's id, state and node); nil for a trial run on this machine.
    public var placement: TrialPlacement?
    /// True for a trial that the user killed alone while its experiment ran (`labmake serve --control`):
    /// it stays USER_CANCELED, where a trial cancelled by interrupting the whole experiment runs again on resume.
    public var killed: Bool?

    public init(number: Int, configuration: Configuration, key: String, status: TrialStatus = .waiting, startedAt: Date? = nil,
                endedAt: Date? = nil, metric: Double? = nil, intermediates: [Double] = [], error: String? = nil,
                suggestSeconds: Double = 0, reused: Bool = false) {
        self.number = number
        self.configuration = configuration
        self.key = key
        self.status = status
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.metric = metric
        self.intermediates = intermediates
        self.error = error
        self.suggestSeconds = suggestSeconds
        self.reused = reused
    }

    /// Whether the trial will not run again: it ended (``TrialStatus/isFinal``) or the user killed it.
    public var isOver: Bool { status.isFinal || killed == true }

    /// Whether the user may have it run again under its number: it failed, or the user killed it.
    public var canRunAgain: Bool { status == .failed || (status == .userCancelled && killed == true) }

    public var seconds: Double? { startedAt.flatMap { s in endedAt.map { $0.timeIntervalSince(s) } } }

    /// The trial's id as NNI names trials (`NNI_TRIAL_JOB_ID`, `trialJobId` in exports): NNI's own for
    /// an imported trial, `trial-N` otherwise.
    public var jobID: String { importedID ?? "trial-\(number)" }
}

/// Where an experiment's trials live: the workspace database, or memory in tests.
public protocol TrialStore: Sendable {
    /// Every trial of `experiment`, by number.
    func trials(experiment: String) throws -> [TrialRecord]
    /// Inserts or replaces a trial.
    func save(_ trial: TrialRecord, experiment: String) throws
    /// A finished trial with this key in any experiment, for reuse.
    func finishedTrial(key: String) throws -> TrialRecord?
}

/// Trials in memory (tests, `--no-store` runs).
public final class MemoryTrialStore: TrialStore, @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [String: [Int: TrialRecord]] = [:]
    public init() {}

    public func trials(experiment: String) throws -> [TrialRecord] {
        lock.lock(); defer { lock.unlock() }
        return (storage[experiment] ?? [:]).values.sorted { $0.number < $1.number }
    }

    public func save(_ trial: TrialRecord, experiment: String) throws {
        lock.lock(); defer { lock.unlock() }
        storage[experiment, default: [:]][trial.number] = trial
    }

    public func finishedTrial(key: String) throws -> TrialRecord? {
        lock.lock(); defer { lock.unlock() }
        return storage.values.flatMap(\.values).first { $0.key == key && $0.status == .succeeded }
    }
}

extension Sequence where Element == TrialRecord {
    /// The best succeeded trial with a metric, the first of equals; nil when none succeeded. With
    /// `budgetParameter` (a multi-fidelity experiment's), the best of those at the largest budget any of
    /// them reached: a trial cut short at a small budget is not compared with complete ones.
    public func best(maximize: Bool, budgetParameter: String? = nil) -> TrialRecord? {
        var candidates = filter { $0.status == .succeeded && $0.metric != nil }
        if let budgetParameter {
            let budget = { (trial: TrialRecord) in trial.configuration[budgetParameter]?.number ?? -.infinity }
            if let largest = candidates.map(budget).max() { candidates = candidates.filter { budget($0) == largest } }
        }
        return candidates.reduce(nil) { best, trial in
            guard let best else { return trial }
            return (maximize ? trial.metric! > best.metric! : trial.metric! < best.metric!) ? trial : best
        }
    }
}
