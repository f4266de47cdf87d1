/// NNI's median stopping rule, exactly as its `MedianstopAssessor`: once a trial has reported
/// `startStep` intermediate results, stop it at step t when its best result so far is worse than the
/// median of the running averages, at step t, of the succeeded trials that reached step t. With an
/// even count the median is the more lenient middle value (NNI's lower median when maximizing, upper
/// when minimizing).
public struct MedianStop: Sendable {
    /// Results a trial reports before the rule applies (NNI's `start_step`, default 0).
    public var startStep: Int
    public var maximize: Bool

    public init(startStep: Int = 0, maximize: Bool) {
        self.startStep = startStep
        self.maximize = maximize
    }

    /// Whether a trial with `intermediates` so far should go on, given the completed trials' series.
    public func shouldContinue(_ intermediates: [Double], completed: [[Double]]) -> Bool {
        let t = intermediates.count
        guard t >= startStep, let best = maximize ? intermediates.max() : intermediates.min() else { return true }
        let averages = completed.filter { $0.count >= t }.map { $0.prefix(t).reduce(0, +) / Double(t) }.sorted()
        guard !averages.isEmpty else { return true }
        let median = maximize ? averages[(averages.count - 1) / 2] : averages[averages.count / 2]
        return maximize ? best >= median : best <= median
    }
}
