/// How one stage ended in a run.
public enum StageStatus: String, Sendable, Codable {
    /// It ran.
    case executed
    /// It was up to date; nothing was done.
    case cached
    /// Its outputs were brought back from the store, without running.
    case restored
    /// It was not run: an upstream stage failed, or the run stopped.
    case skipped
    /// It ran and failed.
    case failed
    /// `--dry-run`/`status`: it would run.
    case stale
}

/// The result of one stage in a run: what `run --json` reports.
public struct StageOutcome: Sendable {
    public var name: String
    public var status: StageStatus
    public var seconds: Double
    /// Why it ran, was restored or would run.
    public var staleReasons: [StaleReason]
    /// Why it was skipped.
    public var skipReason: Plan.SkipReason?
    /// What went wrong, for failed stages.
    public var error: String?

    public init(name: String, status: StageStatus, seconds: Double = 0, staleReasons: [StaleReason] = [],
                skipReason: Plan.SkipReason? = nil, error: String? = nil) {
        self.name = name
        self.status = status
        self.seconds = seconds
        self.staleReasons = staleReasons
        self.skipReason = skipReason
        self.error = error
    }

    /// The reasons in words: why it ran, was restored or would run, or why it was skipped.
    public var reasons: [String] { skipReason.map { [$0.description] } ?? staleReasons.map(\.description) }
}

/// Receives the progress of a run as it happens; called from the runner's threads, one call at a time.
public protocol RunObserver: Sendable {
    /// A stage starts running (or restoring), for these reasons.
    func stageStarted(_ name: String, reasons: [StaleReason])
    /// A line of a running stage's output.
    func stageOutput(_ name: String, line: String)
    /// A stage is done, whatever the outcome.
    func stageFinished(_ outcome: StageOutcome)
}
