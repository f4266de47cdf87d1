import Compute
import Foundation

/// Adam (`torch.optim.Adam`, L2 weight decay added to the gradient) or AdamW (`torch.optim.AdamW`,
/// decoupled decay p −= lr·wd·p): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= lr·m̂ / (√v̂ + ε). Each
/// parameter's step is three fused elementwise ops (m, v, the parameter), each from the step's inputs alone.
public struct Adam: ParameterwiseOptimizer {
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: Float
    public var decoupled: Bool
    public var state: [String: Tensor] = [:]
    /// Steps taken, from the state `step` (a host tensor: reading it costs no transfer).
    private var steps: Float { state["step"]?.values.first ?? 0 }

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public mutating func beginStep() { state["step"] = Tensor([steps + 1], shape: [1]) }

    public mutating func update(_ update: UpdateOperands, name: String, lr: Float) throws(ComputeError) -> Tensor {
        let correction1 = 1 - Float(pow(Double(beta1), Double(steps))), correction2 = 1 - Float(pow(Double(beta2), Double(steps)))
        let stepSize = lr / correction1, root2 = correction2.squareRoot()
        // Operands: the update's, then the moment estimates there are (none at the first step).
        let gradient = update.gradient, parameter = update.parameter, p = update.parameterTensor
        let d = weightDecay != 0 && !decoupled ? gradient + .constant(weightDecay) * parameter : gradient
        let mKey = "exp_avg." + name, vKey = "exp_avg_sq." + name
        var operands = update.tensors
        let m = try accumulated(mKey, like: p, decay: beta1, plus: .constant(1 - beta1) * d, operands: &operands)
        let v = try accumulated(vKey, like: p, decay: beta2, plus: .constant(1 - beta2) * d * d, operands: &operands)
        state[mKey] = try Tensor.evaluate(m, operands)
        state[vKey] = try Tensor.evaluate(v, operands)
        let decayed = weightDecay != 0 && decoupled ? parameter * .constant(1 - lr * weightDecay) : parameter
        return try Tensor.evaluate(decayed - .constant(stepSize) * m / (v.squareRoot() / .constant(root2) + .constant(epsilon)), operands)
    }
}
