/// Runs one trial: given its parameters, reports intermediate metrics as they come (the answer says
/// whether to go on) and returns the final result, or throws why it failed.
public protocol TrialRunner: Sendable {
    /// Runs `trial` of the experiment named `experiment`.
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult
    /// The same, and `placed` receives where a scheduler put the trial's job each time that changes.
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
             placed: @escaping @Sendable (TrialPlacement) -> Void) throws -> TrialResult
    /// Whether a trial can be stopped alone while the others run on (`isKilled` below); a runner that
    /// cannot (one trial server answers every trial in turn) says false, and kill requests are refused.
    var stopsKilledTrials: Bool { get }
    /// The same, and the trial stops soon after `isKilled` turns true (the user asked), throwing ``TrialCancelled``.
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
             placed: @escaping @Sendable (TrialPlacement) -> Void, isKilled: @escaping @Sendable () -> Bool) throws -> TrialResult
}

extension TrialRunner {
    /// A runner without a scheduler never places a trial.
    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
                    placed: @escaping @Sendable (TrialPlacement) -> Void) throws -> TrialResult {
        try run(trial, of: experiment, report: report)
    }

    public var stopsKilledTrials: Bool { false }

    /// A runner that cannot stop one trial runs it to its end.
    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
                    placed: @escaping @Sendable (TrialPlacement) -> Void, isKilled: @escaping @Sendable () -> Bool) throws -> TrialResult {
        try run(trial, of: experiment, report: report, placed: placed)
    }
}

/// Where a scheduler runs a trial: its job's id, state and node (a Slurm job: `41`, `RUNNING`, `gpu07`).
public struct TrialPlacement: Codable, Sendable, Hashable {
    public var job: String
    public var state: String
    public var node: String

    public init(job: String, state: String, node: String) {
        self.job = job
        self.state = state
        self.node = node
    }
}

/// A trial's final result.
public struct TrialResult: Sendable, Equatable {
    /// The scalar the tuner compares (NNI's `default`).
    public var metric: Double
    /// The metric as the trial reported it when it said more than one number (NNI's
    /// `{"default": 0.93, "loss": 0.1}`), as JSON text.
    public var details: String?

    public init(metric: Double, details: String? = nil) {
        self.metric = metric
        self.details = details
    }
}

/// How a trial ended early, at the assessor's word; with the final result it had already reported
/// when it was stopped, which is kept (as NNI keeps it).
public struct TrialStopped: Error, Sendable {
    public var final: TrialResult?
    public init(final: TrialResult? = nil) { self.final = final }
}

/// How a trial ended when the user interrupted the experiment (recorded as user-cancelled, rerun on
/// resume) or killed the trial alone (recorded as user-cancelled for good).
public struct TrialCancelled: Error, Sendable {
    public init() {}
}
