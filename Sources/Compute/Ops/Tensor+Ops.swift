// The operations models are written in. Each is a primitive of ``Op`` or a composition of them.

extension Tensor {
    // MARK: Elementwise

    public static func + (a: Tensor, b: Tensor) throws(ComputeError) -> Tensor { try apply(.add, [a, b]) }
    public static func - (a: Tensor, b: Tensor) throws(ComputeError) -> Tensor { try apply(.subtract, [a, b]) }
    public static func * (a: Tensor, b: Tensor) throws(ComputeError) -> Tensor { try apply(.multiply, [a, b]) }
    public static func / (a: Tensor, b: Tensor) throws(ComputeError) -> Tensor { try apply(.divide, [a, b]) }
    public static prefix func - (a: Tensor) throws(ComputeError) -> Tensor { try apply(.negate, [a]) }

    public func exp() throws(ComputeError) -> Tensor { try .apply(.exp, [self]) }
    public func log() throws(ComputeError) -> Tensor { try .apply(.log, [self]) }
    public func sqrt() throws(ComputeError) -> Tensor { try .apply(.sqrt, [self]) }
    /// max(x, 0).
    public func relu() throws(ComputeError) -> Tensor { try .apply(.relu, [self]) }
    /// min(max(x, 0), 6).
    public func relu6() throws(ComputeError) -> Tensor { try .apply(.relu6, [self]) }

    // MARK: Reductions

    /// Sum over `axes` (all when nil); reduced axes are dropped unless `keepingDims`.
    public func sum(axes: [Int]? = nil, keepingDims: Bool = false) throws(ComputeError) -> Tensor {
        try reduce(.sum(axes: axes ?? Array(0..<shape.rank)), axes: axes, keepingDims: keepingDims)
    }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepingDims: Bool = false) throws(ComputeError) -> Tensor {
        let all = axes ?? Array(0..<shape.rank)
        var n = 1
        for axis in all { n *= shape[try shape.axis(axis, op: "mean")] }
        return try sum(axes: axes, keepingDims: keepingDims) * Tensor.constant(1 / Float(n))
    }

    /// Maximum over `axes` (all when nil).
    public func max(axes: [Int]? = nil, keepingDims: Bool = false) throws(ComputeError) -> Tensor {
        try reduce(.max(axes: axes ?? Array(0..<shape.rank)), axes: axes, keepingDims: keepingDims)
    }

    private func reduce(_ op: Op, axes: [Int]?, keepingDims: Bool) throws(ComputeError) -> Tensor {
        let kept = try Tensor.apply(op, [self])
        guard !keepingDims else { return kept }
        var resolved = Set<Int>()
        for axis in axes ?? Array(0..<shape.rank) { resolved.insert(try shape.axis(axis, op: op.name)) }
        return try kept.reshaped(Shape(shape.dims.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)))
    }

    // MARK: Movement

    public func reshaped(_ shape: Shape) throws(ComputeError) -> Tensor { try .apply(.reshape(shape), [self]) }
    public func transposed(_ permutation: [Int]) throws(ComputeError) -> Tensor { try .apply(.transpose(permutation), [self]) }
    public func expanded(to shape: Shape) throws(ComputeError) -> Tensor { try .apply(.expand(shape), [self]) }
    public func sliced(axis: Int, start: Int, count: Int) throws(ComputeError) -> Tensor {
        try .apply(.slice(axis: axis, start: start, count: count), [self])
    }
    public static func concatenate(_ tensors: [Tensor], axis: Int) throws(ComputeError) -> Tensor {
        try apply(.concat(axis: axis), tensors)
    }

    // MARK: Linear algebra, convolution, pooling

    /// `[m, k] × [k, n] → [m, n]`.
    public func matmul(_ other: Tensor) throws(ComputeError) -> Tensor { try .apply(.matmul, [self, other]) }

    /// NCHW convolution with weight `[out, in / groups, kh, kw]`.
    public func conv2d(_ weight: Tensor, stride: Int = 1, padding: Int = 0, groups: Int = 1) throws(ComputeError) -> Tensor {
        try .apply(.conv2d(Conv2D(stride: stride, padding: padding, groups: groups)), [self, weight])
    }

    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) throws(ComputeError) -> Tensor {
        try .apply(.maxPool2d(Pool2D(kernel: kernel, stride: stride, padding: padding)), [self])
    }

    /// Average over each window; padding counts as zeros in the average (PyTorch's default).
    public func avgPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) throws(ComputeError) -> Tensor {
        try .apply(.avgPool2d(Pool2D(kernel: kernel, stride: stride, padding: padding)), [self])
    }

    /// `[n, c, h, w] → [n, c]`.
    public func globalAvgPool2d() throws(ComputeError) -> Tensor { try mean(axes: [2, 3]) }

    // MARK: Compositions

    /// softmax over the last axis, stable: exp(x − max) / Σ exp(x − max).
    public func softmax() throws(ComputeError) -> Tensor {
        let axis = shape.rank - 1
        let shifted = try self - max(axes: [axis], keepingDims: true).detached
        let e = try shifted.exp()
        return try e / e.sum(axes: [axis], keepingDims: true)
    }

    /// Mean softmax cross-entropy of logits `[n, c]` against class indices `[n]`; with label smoothing ε,
    /// the target is (1 − ε) on the label and ε / c everywhere.
    public func crossEntropy(labels: Tensor, labelSmoothing: Float = 0) throws(ComputeError) -> Tensor {
        if shape.rank == 2 {
            let classes = Float(shape[1])
            for (row, label) in labels.values.enumerated() where !(label >= 0 && label < classes && label == label.rounded()) {
                let shown = label == label.rounded() && abs(label) < 1e9 ? String(Int(label)) : String(label)
                throw .invalid(op: "softmaxCrossEntropy", "label \(shown) of row \(row) is not a class index in 0..<\(shape[1])")
            }
        }
        return try Tensor.apply(.softmaxCrossEntropy(labelSmoothing: labelSmoothing), [self, labels]).mean()
    }

    /// Each channel's mean and biased variance over N, H and W of `[n, c, h, w]`, as `[2, c]`.
    public func channelMoments() throws(ComputeError) -> Tensor { try .apply(.channelMoments, [self]) }

    /// Batch normalisation over N, H, W of `[n, c, h, w]` with the batch's statistics:
    /// y = (x − mean) / √(var + ε) · γ + β, γ and β of shape `[c]`.
    /// Returns y — plus `residual` and through `activation` in the same pass, when given — and the batch
    /// mean and (biased) variance, for running statistics.
    public func batchNorm(scale: Tensor, shift: Tensor, epsilon: Float = 1e-5, adding residual: Tensor? = nil,
                          activation: Activation? = nil) throws(ComputeError) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        let moments = try channelMoments()
        let y = try Tensor.apply(Self.batchNormOp(epsilon, residual, activation), [self, moments, scale, shift] + (residual.map { [$0] } ?? []))
        let c = moments.shape[1]
        let stats = moments.detached
        return (y, try stats.sliced(axis: 0, start: 0, count: 1).reshaped([c]), try stats.sliced(axis: 0, start: 1, count: 1).reshaped([c]))
    }

    /// Batch normalisation with given statistics (inference), plus `residual` and then `activation` when given.
    public func batchNorm(scale: Tensor, shift: Tensor, mean: Tensor, variance: Tensor, epsilon: Float = 1e-5,
                          adding residual: Tensor? = nil, activation: Activation? = nil) throws(ComputeError) -> Tensor {
        guard shape.rank == 4 else { throw .invalid(op: "batchNorm", "the input must have rank 4, got shape \(shape)") }
        let c = shape[1]
        if [self, scale, shift, mean, variance, residual ?? self].allSatisfy({ $0.node == nil }) {
            // Nothing is differentiated: the batch-norm op with these statistics, one pass. (Its gradient
            // is the batch statistics' one, so a differentiated input takes the composition below.)
            let moments = try Tensor.concatenate([mean.reshaped([1, c]), variance.reshaped([1, c])], axis: 0)
            return try Tensor.apply(Self.batchNormOp(epsilon, residual, activation), [self, moments, scale, shift] + (residual.map { [$0] } ?? []))
        }
        let factor = try scale / (variance + Tensor.constant(epsilon)).sqrt()
        let offset = try shift - mean * factor
        var y = try self * factor.reshaped([1, c, 1, 1]) + offset.reshaped([1, c, 1, 1])
        if let residual { y = try y + residual }
        guard let activation else { return y }
        return try .apply(activation.op, [y])
    }

    /// The batch-norm op that also adds `residual` and applies `activation`, where given.
    private static func batchNormOp(_ epsilon: Float, _ residual: Tensor?, _ activation: Activation?) -> Op {
        if residual != nil { return .batchNormAdd(epsilon: epsilon, activation) }
        if let activation { return .batchNormActivation(epsilon: epsilon, activation) }
        return .batchNorm(epsilon: epsilon)
    }

    /// Inverted dropout: zeroes each element with probability `p` and scales the rest by 1 / (1 − p).
    public func dropout(_ p: Float, using generator: inout some RandomNumberGenerator) throws(ComputeError) -> Tensor {
        guard p > 0 else { return self }
        let keep = 1 / (1 - p), count = shape.count
        // Two uniform 24-bit draws from each 64-bit number: what Float.random(in: 0..<1) draws, without its generic
        // path per element (8% of a SqueezeNet step).
        let threshold = UInt64((Double(p) * 0x1p24).rounded(.up))
        let mask = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            var i = 0
            while i < count {
                let bits = generator.next()
                buffer[i] = bits >> 40 < threshold ? 0 : keep
                if i + 1 < count { buffer[i + 1] = (bits >> 8) & 0xFF_FFFF < threshold ? 0 : keep }
                i += 2
            }
            initialized = count
        }
        return try self * Tensor(mask, shape: shape)
    }
}
