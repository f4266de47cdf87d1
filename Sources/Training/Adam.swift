import Compute
import Foundation

/// Adam (`torch.optim.Adam`, L2 weight decay added to the gradient) or AdamW (`torch.optim.AdamW`,
/// decoupled decay p −= lr·wd·p): m = β₁m + (1−β₁)g, v = β₂v + (1−β₂)g², p −= lr·m̂ / (√v̂ + ε).
public struct Adam: Optimizer {
    public var beta1: Float, beta2: Float, epsilon: Float
    public var weightDecay: Float
    public var decoupled: Bool
    public var state: [String: [Float]] = [:]

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float) {
        let t = (state["step"]?.first ?? 0) + 1
        state["step"] = [t]
        let correction1 = 1 - Float(pow(Double(beta1), Double(t))), correction2 = 1 - Float(pow(Double(beta2), Double(t)))
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            let p = parameters[name]!
            var values = p.values
            let g = gradient.values
            var m = state["exp_avg." + name] ?? [Float](repeating: 0, count: values.count)
            var v = state["exp_avg_sq." + name] ?? [Float](repeating: 0, count: values.count)
            let (b1, b2, eps, wd, decoupled) = (beta1, beta2, epsilon, weightDecay, decoupled)
            let stepSize = lr / correction1, root2 = correction2.squareRoot()
            values.withUnsafeMutableBufferPointer { pv in
                g.withUnsafeBufferPointer { gv in
                    m.withUnsafeMutableBufferPointer { mv in
                        v.withUnsafeMutableBufferPointer { vv in
                            for i in 0..<pv.count {
                                var d = gv[i]
                                if decoupled { pv[i] *= 1 - lr * wd } else { d += wd * pv[i] }
                                mv[i] = b1 * mv[i] + (1 - b1) * d
                                vv[i] = b2 * vv[i] + (1 - b2) * d * d
                                pv[i] -= stepSize * mv[i] / (vv[i].squareRoot() / root2 + eps)
                            }
                        }
                    }
                }
            }
            state["exp_avg." + name] = m
            state["exp_avg_sq." + name] = v
            parameters[name] = Tensor(values, shape: p.shape)
        }
    }
}
