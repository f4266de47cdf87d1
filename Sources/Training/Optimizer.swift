import Compute

/// Updates parameters from their gradients, with PyTorch's semantics and defaults. State (momentum
/// buffers, moment estimates, the step count) is named per parameter so that checkpoints can hold it.
public protocol Optimizer {
    /// Applies one step at learning rate `lr`.
    mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float)
    /// The state, by name (`momentum_buffer.conv1.weight`, `step`…).
    var state: [String: [Float]] { get set }
}

public enum Optimizers {
    /// The optimizer a config names. The lab's `momentum` is SGD's and RMSprop's momentum and Adam's
    /// and AdamW's β₁ (β₂ stays 0.999).
    public static func make(_ config: TrainingConfig) throws(TrainingError) -> any Optimizer {
        switch config.optimizer {
        case .sgd: return SGD(momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay)
        case .adam: return Adam(beta1: config.momentum, weightDecay: config.weightDecay, decoupled: false)
        case .adamw: return Adam(beta1: config.momentum, weightDecay: config.weightDecay, decoupled: true)
        case .rmsprop: return RMSprop(momentum: config.momentum, weightDecay: config.weightDecay)
        }
    }
}
