import Compute

/// Stochastic gradient descent as `torch.optim.SGD`: g += wd·p; b = μ·b + g (b = g at the first step);
/// g = g + μ·b with Nesterov, else b; p −= lr·g. Each parameter's step is two fused elementwise ops
/// (the momentum buffer, then the parameter), the arithmetic of the tensor ops it stands for.
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
        // Operands: 0 the gradient, 1 the parameter, 2 the momentum buffer.
        let gradient = ElementwiseExpression.operand(0), parameter = ElementwiseExpression.operand(1), buffer = ElementwiseExpression.operand(2)
        let d = weightDecay == 0 ? gradient : gradient + parameter * .constant(weightDecay)
        guard momentum != 0 else { return try Tensor.evaluate(parameter - .constant(lr) * d, [g, p]) }
        let key = "momentum_buffer." + name
        let updated: Tensor
        if let previous = try stateTensor(key, like: p) {
            updated = try Tensor.evaluate(.constant(momentum) * buffer + d, [g, p, previous])
        } else {
            updated = weightDecay == 0 ? g : try Tensor.evaluate(d, [g, p])
        }
        state[key] = updated
        if nesterov { return try Tensor.evaluate(parameter - .constant(lr) * (d + .constant(momentum) * buffer), [g, p, updated]) }
        return try Tensor.evaluate(.operand(0) - .constant(lr) * .operand(1), [p, updated])
    }
}
