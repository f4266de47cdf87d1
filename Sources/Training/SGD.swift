import Compute

/// Stochastic gradient descent as `torch.optim.SGD`: g += wd·p; b = μ·b + g (b = g at the first step);
/// g = g + μ·b with Nesterov, else b; p −= lr·g. Each parameter's step is a fused elementwise op per
/// tensor it writes (the momentum buffer, the parameter), each computed from the step's inputs alone
/// (the parameter's op recomputes the buffer's arithmetic), so that no op of a step waits for another.
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

    public mutating func update(_ update: UpdateOperands, name: String, lr: Float) throws(ComputeError) -> Tensor {
        // Operands: the update's, then the momentum buffer.
        let gradient = update.gradient, parameter = update.parameter
        let d = weightDecay == 0 ? gradient : gradient + parameter * .constant(weightDecay)
        var operands = update.tensors
        guard momentum != 0 else { return try Tensor.evaluate(parameter - .constant(lr) * d, operands) }
        let key = "momentum_buffer." + name
        let buffer = try accumulated(key, like: update.parameterTensor, decay: momentum, plus: d, operands: &operands)
        state[key] = buffer == .operand(0) ? update.gradientTensor : try Tensor.evaluate(buffer, operands)
        return try Tensor.evaluate(parameter - .constant(lr) * (nesterov ? d + .constant(momentum) * buffer : buffer), operands)
    }
}
