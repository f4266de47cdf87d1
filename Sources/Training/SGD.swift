import Compute

/// Stochastic gradient descent as `torch.optim.SGD`: g += wd·p; b = μ·b + g (b = g at the first step);
/// g = g + μ·b with Nesterov, else b; p −= lr·g.
public struct SGD: Optimizer {
    public var momentum: Float
    public var nesterov: Bool
    public var weightDecay: Float
    public var state: [String: [Float]] = [:]

    public init(momentum: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
        self.momentum = momentum
        self.nesterov = nesterov
        self.weightDecay = weightDecay
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float) {
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            let p = parameters[name]!
            var values = p.values
            let g = gradient.values
            let key = "momentum_buffer." + name
            var buffer = state[key]
            let first = buffer == nil
            if momentum != 0 && first { buffer = [Float](repeating: 0, count: values.count) }
            values.withUnsafeMutableBufferPointer { pv in
                g.withUnsafeBufferPointer { gv in
                    if momentum == 0 {
                        for i in 0..<pv.count { pv[i] -= lr * (gv[i] + weightDecay * pv[i]) }
                        return
                    }
                    buffer!.withUnsafeMutableBufferPointer { bv in
                        for i in 0..<pv.count {
                            let d = gv[i] + weightDecay * pv[i]
                            bv[i] = first ? d : momentum * bv[i] + d
                            pv[i] -= lr * (nesterov ? d + momentum * bv[i] : bv[i])
                        }
                    }
                }
            }
            if momentum != 0 { state[key] = buffer }
            parameters[name] = Tensor(values, shape: p.shape)
        }
    }
}
