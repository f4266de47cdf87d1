/// What one epoch measured: the callback the tuner's early stopping and the report's learning curves read.
public struct EpochMetrics: Codable, Sendable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double
    public var testAccuracy: Double
    /// The learning rate at the epoch's last step.
    public var learningRate: Double
    public var seconds: Double
    public var imagesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case epoch, seconds
        case trainLoss = "train_loss", trainAccuracy = "train_accuracy", testLoss = "test_loss", testAccuracy = "test_accuracy"
        case learningRate = "learning_rate", imagesPerSecond = "images_per_second"
    }
}

/// How a run ended and what it measured: the final metrics JSON.
public struct TrainingResult: Codable, Sendable {
    public enum Status: String, Codable, Sendable {
        /// Every epoch ran.
        case completed
        /// The loss became NaN or infinite; the run stopped.
        case diverged
        /// The epoch callback asked to stop (early stopping).
        case stopped
    }

    public var status: Status
    public var model: String
    public var parameters: Int
    public var config: [String: String]
    public var epochs: [EpochMetrics]
    /// The last epoch's test accuracy (0 when none finished).
    public var finalAccuracy: Double
    public var bestAccuracy: Double
    public var seconds: Double
    /// Epochs restored from a checkpoint rather than trained in this process.
    public var resumedEpochs: Int
    /// Why the run did not complete, when it did not.
    public var message: String?

    enum CodingKeys: String, CodingKey {
        case status, model, parameters, config, epochs, seconds, message
        case finalAccuracy = "final_accuracy", bestAccuracy = "best_accuracy", resumedEpochs = "resumed_epochs"
    }
}
