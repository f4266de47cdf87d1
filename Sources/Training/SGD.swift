import Compute

/// Stochastic gradient descent as `torch.optim.SGD`: g += wd·p; b = μ·b + g (b = g at the first step);
/// g = g + μ·b with Nesterov, else b; p −= lr·g.
public struct SGD: ParameterwiseOptimizer {
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public var state: [String: Tensor] = [:]

    public init(momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public mutating func update(_ p: Tensor, gradient g: Tensor, name: String, lr: Float) throws(ComputeError) -> Tensor {
        let d = weightDecay == 0 ? g : try g + p * Tensor.constant(weightDecay)
        guard momentum != 0 else { return try p - Tensor.constant(lr) * d }
        let key = "momentum_buffer." + name
        let buffer = try stateTensor(key, like: p).map { b throws(ComputeError) in try Tensor.constant(momentum) * b + d } ?? d
        state[key] = buffer
        return try p - Tensor.constant(lr) * (nesterov ? d + Tensor.constant(momentum) * buffer : buffer)
    }
}
