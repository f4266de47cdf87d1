/// Whether a larger or a smaller metric is better.
public enum Direction: String, Codable, Sendable, CaseIterable {
    case maximize, minimize

    /// Whether larger is better.
    public var maximizes: Bool { self == .maximize }

    public init(maximize: Bool) { self = maximize ? .maximize : .minimize }
}

/// What judges a running trial's intermediate results: nothing, NNI's median stopping rule, or
/// asynchronous successive halving (``SuccessiveHalvingStop``).
public enum Assessor: String, Codable, Sendable, CaseIterable {
    case none
    case medianstop
    /// Asynchronous successive halving (Li et al. 2020; Optuna's `SuccessiveHalvingPruner`).
    case asha
}
