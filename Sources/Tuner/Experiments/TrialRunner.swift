/// Runs one trial: given its parameters, reports intermediate metrics as they come (the answer says
/// whether to go on) and returns the final metric, or throws why it failed.
public protocol TrialRunner: Sendable {
    func run(_ trial: TrialRecord, report: @escaping @Sendable (Double) -> Bool) throws -> Double
}

/// How a trial ended early, at the assessor's word.
public struct TrialStopped: Error, Sendable {
    public init() {}
}

/// How a trial ended when the user interrupted the experiment: recorded as user-cancelled, rerun on resume.
public struct TrialCancelled: Error, Sendable {
    public init() {}
}
