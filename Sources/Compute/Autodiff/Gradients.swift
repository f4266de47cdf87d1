/// The gradient of every primitive, in one table: given the op, its inputs, its output and the
/// gradient of the output, the gradient of each input (nil where none flows, e.g. to labels).
/// First order only: the gradient ops themselves are not differentiated.
///
/// `batchNorm` is the one op whose gradient is not its partial derivative alone: as in PyTorch, its
/// x-gradient includes the path through the batch statistics, so none is sent to `moments`.
enum Gradients {
    /// `needed[i]` says whether input i wants its gradient; the costly ones are skipped when not.
    static func of(_ op: Op, inputs x: [Tensor], output y: Tensor, gradient g: Tensor, needed: [Bool]) throws(ComputeError) -> [Tensor?] {
        switch op {
        case .negate: return [try -g]
        case .exp: return [try g * y]
        case .log: return [try g / x[0]]
        case .sqrt: return [try g / (y * Tensor(2))]
        case .relu: return [try Tensor.apply(.reluGradient, [x[0], g])]
        case .relu6: return [try Tensor.apply(.relu6Gradient, [x[0], g])]
        case .positive, .equal: return x.map { _ in nil }
        case .add: return [try unbroadcast(g, to: x[0].shape), try unbroadcast(g, to: x[1].shape)]
        case .subtract: return [try unbroadcast(g, to: x[0].shape), try unbroadcast(-g, to: x[1].shape)]
        case .multiply:
            return [needed[0] ? try unbroadcast(g * x[1], to: x[0].shape) : nil,
                    needed[1] ? try unbroadcast(g * x[0], to: x[1].shape) : nil]
        case .divide:
            return [needed[0] ? try unbroadcast(g / x[1], to: x[0].shape) : nil,
                    needed[1] ? try unbroadcast(-(g * x[0]) / (x[1] * x[1]), to: x[1].shape) : nil]
        case .sum:
            return [try g.expanded(to: x[0].shape)]
        case .max(let axes):
            // Split evenly between tied maxima, as PyTorch's amax does.
            let mask = try Tensor.apply(.equal, [x[0], y.expanded(to: x[0].shape)])
            let ties = try Tensor.apply(.sum(axes: axes), [mask])
            return [try (g / ties).expanded(to: x[0].shape) * mask]
        case .reshape:
            return [try g.reshaped(x[0].shape)]
        case .transpose(let p):
            var inverse = Array(repeating: 0, count: p.count)
            for (i, axis) in p.enumerated() { inverse[axis] = i }
            return [try g.transposed(inverse)]
        case .expand:
            return [try unbroadcast(g, to: x[0].shape)]
        case .slice(let axis, let start, let count):
            let a = try x[0].shape.axis(axis, op: "slice")
            var parts: [Tensor] = []
            var before = x[0].shape.dims, after = x[0].shape.dims
            before[a] = start
            after[a] = x[0].shape.dims[a] - start - count
            if start > 0 { parts.append(.zeros(Shape(before))) }
            parts.append(g)
            if after[a] > 0 { parts.append(.zeros(Shape(after))) }
            return [try Tensor.concatenate(parts, axis: a)]
        case .concat(let axis):
            let a = try x[0].shape.axis(axis, op: "concat")
            var start = 0
            var result: [Tensor?] = []
            for input in x {
                result.append(try g.sliced(axis: a, start: start, count: input.shape[a]))
                start += input.shape[a]
            }
            return result
        case .matmul:
            return [needed[0] ? try g.matmul(x[1].transposed([1, 0])) : nil,
                    needed[1] ? try x[0].transposed([1, 0]).matmul(g) : nil]
        case .conv2d(let c):
            return [needed[0] ? try Tensor.apply(.conv2dInputGradient(c, inputShape: x[0].shape), [g, x[1]]) : nil,
                    needed[1] ? try Tensor.apply(.conv2dWeightGradient(c, weightShape: x[1].shape), [x[0], g]) : nil]
        case .channelMoments:
            // mean = Σx / m, variance = Σ(x − mean)² / m: ∂/∂x = g_mean / m + g_var · 2(x − mean) / m.
            let c = x[0].shape[1], m = Float(x[0].shape.count / c)
            let gMean = try g.sliced(axis: 0, start: 0, count: 1).reshaped([1, c, 1, 1])
            let gVariance = try g.sliced(axis: 0, start: 1, count: 1).reshaped([1, c, 1, 1])
            let mean = try y.sliced(axis: 0, start: 0, count: 1).reshaped([1, c, 1, 1])
            return [try gMean * Tensor(1 / m) + gVariance * Tensor(2 / m) * (x[0] - mean)]
        case .batchNorm(let epsilon):
            return try batchNorm(epsilon, x, g, needed)
        case .batchNormActivation(let epsilon, let activation):
            // The activation passes the gradient where its output is inside its linear range, as where its input is.
            return try batchNorm(epsilon, x, Tensor.apply(activation.gradientOp, [y, g]), needed)
        case .batchNormAdd(let epsilon, let activation):
            var inner = g
            if let activation { inner = try Tensor.apply(activation.gradientOp, [y, g]) }
            return try batchNorm(epsilon, x, inner, needed) + [needed[4] ? inner : nil]
        case .maxPool2d(let p):
            return [try Tensor.apply(.maxPool2dGradient(p), [x[0], g])]
        case .avgPool2d(let p):
            return [try Tensor.apply(.avgPool2dGradient(p, inputShape: x[0].shape), [g])]
        case .softmaxCrossEntropy(let smoothing):
            return [try Tensor.apply(.softmaxCrossEntropyGradient(labelSmoothing: smoothing), [x[0], x[1], g]), nil]
        case .conv2dInputGradient, .conv2dWeightGradient, .maxPool2dGradient, .avgPool2dGradient, .softmaxCrossEntropyGradient,
             .batchNormAffineGradient, .batchNormInputGradient, .reluGradient, .relu6Gradient:
            throw ComputeError("\(op.name) is itself a gradient; second-order gradients are not supported")
        case .fusedElementwise:
            throw ComputeError("fusedElementwise is not differentiable; write the expression with tensor operators to differentiate it")
        }
    }

    /// batchNorm's gradients (x, none to the moments, scale, shift) for the gradient `g` of its output.
    private static func batchNorm(_ epsilon: Float, _ x: [Tensor], _ g: Tensor, _ needed: [Bool]) throws(ComputeError) -> [Tensor?] {
        let affine = try Tensor.apply(.batchNormAffineGradient(epsilon: epsilon), [x[0], x[1], g])
        let c = x[0].shape[1]
        return [needed[0] ? try Tensor.apply(.batchNormInputGradient(epsilon: epsilon), [x[0], x[1], x[2], g, affine]) : nil,
                nil,
                needed[2] ? try affine.sliced(axis: 0, start: 0, count: 1).reshaped([c]) : nil,
                needed[3] ? try affine.sliced(axis: 0, start: 1, count: 1).reshaped([c]) : nil]
    }

    /// Sums a broadcast gradient back to the shape its operand had.
    static func unbroadcast(_ g: Tensor, to shape: Shape) throws(ComputeError) -> Tensor {
        guard g.shape != shape else { return g }
        let extra = g.shape.rank - shape.rank
        var axes = Array(0..<extra)
        for i in 0..<shape.rank where shape[i] == 1 && g.shape[i + extra] != 1 { axes.append(i + extra) }
        return try Tensor.apply(.sum(axes: axes), [g]).reshaped(shape)
    }
}
