import Compute

/// RMSprop as `torch.optim.RMSprop` (α 0.99, ε 1e-8): v = αv + (1−α)g²; with momentum μ,
/// b = μb + g / (√v + ε) and p −= lr·b, else p −= lr·g / (√v + ε). Weight decay adds wd·p to g.
public struct RMSprop: Optimizer {
    public var alpha: Float, epsilon: Float, momentum: Float, weightDecay: Float
    public var state: [String: [Float]] = [:]

    public init(alpha: Float = 0.99, epsilon: Float = 1e-8, momentum: Float = 0, weightDecay: Float = 0) {
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float) {
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            let p = parameters[name]!
            var values = p.values
            let g = gradient.values
            var v = state["square_avg." + name] ?? [Float](repeating: 0, count: values.count)
            var b = state["momentum_buffer." + name] ?? [Float](repeating: 0, count: momentum > 0 ? values.count : 0)
            let (a, eps, mu, wd) = (alpha, epsilon, momentum, weightDecay)
            values.withUnsafeMutableBufferPointer { pv in
                g.withUnsafeBufferPointer { gv in
                    v.withUnsafeMutableBufferPointer { vv in
                        b.withUnsafeMutableBufferPointer { bv in
                            for i in 0..<pv.count {
                                let d = gv[i] + wd * pv[i]
                                vv[i] = a * vv[i] + (1 - a) * d * d
                                let scaled = d / (vv[i].squareRoot() + eps)
                                if mu > 0 {
                                    bv[i] = mu * bv[i] + scaled
                                    pv[i] -= lr * bv[i]
                                } else {
                                    pv[i] -= lr * scaled
                                }
                            }
                        }
                    }
                }
            }
            state["square_avg." + name] = v
            if mu > 0 { state["momentum_buffer." + name] = b }
            parameters[name] = Tensor(values, shape: p.shape)
        }
    }
}
