/// How to run a pipeline.
public struct RunOptions: Sendable {
    /// Stages to bring up to date, with everything they depend on; empty means all.
    public var targets: [String]
    /// How many stages may run at once.
    public var jobs: Int
    /// Run the selected stages even when they are up to date.
    public var force: Bool
    /// After a failure, go on with every stage that does not depend on it.
    public var keepGoing: Bool
    /// Say what would run, run nothing.
    public var dryRun: Bool

    public init(targets: [String] = [], jobs: Int = 1, force: Bool = false, keepGoing: Bool = false,
                dryRun: Bool = false) {
        self.targets = targets
        self.jobs = max(1, jobs)
        self.force = force
        self.keepGoing = keepGoing
        self.dryRun = dryRun
    }
}

/// What a run did, stage by stage in topological order.
public struct RunSummary: Sendable {
    public var outcomes: [StageOutcome]
    /// Whether Ctrl-C (or SIGTERM) stopped it.
    public var interrupted: Bool

    /// Whether every stage succeeded (executed, cached or restored; stale in a dry run).
    public var ok: Bool { !interrupted && outcomes.allSatisfy { $0.status != .failed && $0.status != .skipped } }
}
