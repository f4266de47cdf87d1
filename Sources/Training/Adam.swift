import Compute
import Foundation

/// Adam (`torch.optim.Adam`, L2 weight decay added to the gradient) or AdamW (`torch.optim.AdamW`,
/// decoupled decay p −= lr·wd·p): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= lr·m̂ / (√v̂ + ε).
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

    public mutating func update(_ p: Tensor, gradient g: Tensor, name: String, lr: Float) throws(ComputeError) -> Tensor {
        let correction1 = 1 - Float(pow(Double(beta1), Double(steps))), correction2 = 1 - Float(pow(Double(beta2), Double(steps)))
        let stepSize = lr / correction1, root2 = correction2.squareRoot()
        var p = p, d = g
        if weightDecay != 0 {
            if decoupled { p = try p * Tensor.constant(1 - lr * weightDecay) } else { d = try d + Tensor.constant(weightDecay) * p }
        }
        let mKey = "exp_avg." + name, vKey = "exp_avg_sq." + name
        let m0 = try stateTensor(mKey, like: p) ?? Tensor.zeros(p.shape), v0 = try stateTensor(vKey, like: p) ?? Tensor.zeros(p.shape)
        let m = try Tensor.constant(beta1) * m0 + Tensor.constant(1 - beta1) * d
        let v = try Tensor.constant(beta2) * v0 + Tensor.constant(1 - beta2) * d * d
        state[mKey] = m
        state[vKey] = v
        return try p - Tensor.constant(stepSize) * m / (v.sqrt() / Tensor.constant(root2) + Tensor.constant(epsilon))
    }
}
