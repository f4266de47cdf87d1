import Compute

/// RMSprop as `torch.optim.RMSprop` (α 0.99, ε 1e-8): v = αv + (1−α)g²; with momentum μ,
/// b = μb + g / (√v + ε) and p −= lr·b, else p −= lr·g / (√v + ε). Weight decay adds wd·p to g. Each
/// parameter's step is two or three fused elementwise ops.
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
        // Operands: 0 the gradient, 1 the parameter, 2 the square average, 3 the momentum buffer.
        let gradient = ElementwiseExpression.operand(0), parameter = ElementwiseExpression.operand(1)
        let average = ElementwiseExpression.operand(2), buffer = ElementwiseExpression.operand(3)
        let d = weightDecay == 0 ? gradient : gradient + .constant(weightDecay) * parameter
        let vKey = "square_avg." + name
        // α·0 + x is x: the first step's average is the new term alone.
        let term = ElementwiseExpression.constant(1 - alpha) * d * d
        let v: Tensor
        if let v0 = try stateTensor(vKey, like: p) {
            v = try Tensor.evaluate(.constant(alpha) * average + term, [g, p, v0])
        } else {
            v = try Tensor.evaluate(term, [g, p])
        }
        state[vKey] = v
        let scaled = d / (average.squareRoot() + .constant(epsilon))
        guard momentum > 0 else { return try Tensor.evaluate(parameter - .constant(lr) * scaled, [g, p, v]) }
        let bKey = "momentum_buffer." + name
        let b: Tensor
        if let b0 = try stateTensor(bKey, like: p) {
            b = try Tensor.evaluate(.constant(momentum) * buffer + scaled, [g, p, v, b0])
        } else {
            b = try Tensor.evaluate(scaled, [g, p, v])
        }
        state[bKey] = b
        return try Tensor.evaluate(.operand(0) - .constant(lr) * .operand(1), [p, b])
    }
}
