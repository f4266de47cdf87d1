/// NNI's median stopping rule: stop a trial at step t when its best intermediate result so far is
/// worse than the median of the running averages of the completed trials' first t results.
public struct MedianStop: Sendable {
    /// Steps before the rule applies.
    public var startStep: Int
    public var maximize: Bool

    public init(startStep: Int = 0, maximize: Bool) {
        self.startStep = startStep
        self.maximize = maximize
    }

    /// Whether a trial with `intermediates` so far should go on, given the completed trials' series.
    public func shouldContinue(_ intermediates: [Double], completed: [[Double]]) -> Bool {
        let t = intermediates.count
        guard t > startStep, let best = maximize ? intermediates.max() : intermediates.min() else { return true }
        let averages = completed.filter { $0.count >= t }.map { $0.prefix(t).reduce(0, +) / Double(t) }.sorted()
        guard !averages.isEmpty else { return true }
        let median = averages.count % 2 == 1 ? averages[averages.count / 2]
            : (averages[averages.count / 2 - 1] + averages[averages.count / 2]) / 2
        return maximize ? best >= median : best <= median
    }
}
