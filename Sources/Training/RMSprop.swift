import Compute

/// RMSprop as `torch.optim.RMSprop` (α 0.99, ε 1e-8): v = αv + (1−α)g²; with momentum μ,
/// b = μb + g / (√v + ε) and p −= lr·b, else p −= lr·g / (√v + ε). Weight decay adds wd·p to g.
public struct RMSprop: ParameterwiseOptimizer {
    public var alpha: Float, epsilon: Float, momentum: Float, weightDecay: Float
    public var state: [String: Tensor] = [:]

    public init(alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, weightDecay: Float = 0) {
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func update(_ p: Tensor, gradient g: Tensor, name: String, lr: Float) throws(ComputeError) -> Tensor {
        let d = weightDecay == 0 ? g : try g + Tensor.constant(weightDecay) * p
        let vKey = "square_avg." + name
        let v = try Tensor.constant(alpha) * (try stateTensor(vKey, like: p) ?? Tensor.zeros(p.shape)) + Tensor.constant(1 - alpha) * d * d
        state[vKey] = v
        let scaled = try d / (v.sqrt() + Tensor.constant(epsilon))
        guard momentum > 0 else { return try p - Tensor.constant(lr) * scaled }
        let bKey = "momentum_buffer." + name
        let b = try Tensor.constant(momentum) * (try stateTensor(bKey, like: p) ?? Tensor.zeros(p.shape)) + scaled
        state[bKey] = b
        return try p - Tensor.constant(lr) * b
    }
}
