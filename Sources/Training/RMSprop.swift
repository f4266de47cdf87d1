import Compute

/// RMSprop as `torch.optim.RMSprop` (α 0.99, ε 1e-8): v = αv + (1−α)g²; with momentum μ,
/// b = μb + g / (√v + ε) and p −= lr·b, else p −= lr·g / (√v + ε). Weight decay adds wd·p to g. Each
/// parameter's step is two or three fused elementwise ops, each from the step's inputs alone.
public struct RMSprop: ParameterwiseOptimizer {
    public var alpha: Float, epsilon: Float, momentum: Float, weightDecay: Float
    public var state: [String: Tensor] = [:]

    public init(alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, weightDecay: Float = 0) {
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func update(_ update: UpdateOperands, name: String, lr: Float) throws(ComputeError) -> Tensor {
        // Operands: the update's, then the square average and momentum buffer there are.
        let gradient = update.gradient, parameter = update.parameter, p = update.parameterTensor
        let d = weightDecay == 0 ? gradient : gradient + .constant(weightDecay) * parameter
        let vKey = "square_avg." + name, bKey = "momentum_buffer." + name
        var operands = update.tensors
        let v = try accumulated(vKey, like: p, decay: alpha, plus: .constant(1 - alpha) * d * d, operands: &operands)
        var step = d / (v.squareRoot() + .constant(epsilon))
        if momentum > 0 {
            step = try accumulated(bKey, like: p, decay: momentum, plus: step, operands: &operands)
            state[bKey] = try Tensor.evaluate(step, operands)
        }
        state[vKey] = try Tensor.evaluate(v, operands)
        return try Tensor.evaluate(parameter - .constant(lr) * step, operands)
    }
}
