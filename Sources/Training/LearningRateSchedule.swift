import Foundation

/// The learning rate at each optimizer step: constant, cosine from `initial_lr` to `ending_lr` over
/// the whole run (per step, as CosineAnnealingLR stepped each batch), or step decay (× gamma every
/// `step_size` epochs); optionally ramped up linearly over the first `warmup_epochs`.
public struct LearningRateSchedule: Sendable {
    public let config: TrainingConfig
    public let stepsPerEpoch: Int

    public init(_ config: TrainingConfig, stepsPerEpoch: Int) {
        self.config = config
        self.stepsPerEpoch = stepsPerEpoch
    }

    /// The rate for step `t` (0-based, counted over the whole run).
    public func rate(atStep t: Int) -> Float {
        let total = Swift.max(1, config.epochs * stepsPerEpoch)
        let initial = Double(config.initialLR)
        var rate: Double
        switch config.schedule {
        case .cosine:
            let end = Double(config.endingLR)
            rate = end + (initial - end) * (1 + cos(Double.pi * Double(Swift.min(t, total)) / Double(total))) / 2
        case .step:
            rate = initial * pow(Double(config.gamma), Double(t / Swift.max(1, stepsPerEpoch) / Swift.max(1, config.stepSize)))
        case .constant:
            rate = initial
        }
        let warmup = Int((Double(config.warmupEpochs) * Double(stepsPerEpoch)).rounded())
        if t < warmup { rate *= Double(t + 1) / Double(warmup) }
        return Float(rate)
    }
}
