/// A configuration measured outside the experiment, and its metric.
public struct PriorTrial: Sendable, Equatable {
    public var configuration: Configuration
    public var metric: Double
    /// Where it was measured, for people: `manual-sweep trial 4`.
    public var source: String

    public init(configuration: Configuration, metric: Double, source: String) {
        self.configuration = configuration
        self.metric = metric
        self.source = source
    }
}
