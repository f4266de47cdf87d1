import Compute

/// Pooling, batch normalisation and the softmax cross-entropy: the pooling, batch_norm and
/// cross_entropy shaders.
extension VulkanBackend {
    enum PoolingMode: UInt32 { case max = 0, average, maxGradient, averageGradient }

    /// Pools `x` (NCHW; for gradients, `gradient` is the output's) into `resultShape`.
    func pooling(_ mode: PoolingMode, _ x: Tensor?, _ gradient: Tensor?, _ p: Pool2D, input: Shape, _ resultShape: Shape) throws -> VulkanBuffer {
        let (oh, ow) = p.outputSize(input[2], input[3])
        let result = try allocate(resultShape.count)
        var buffers: [Int: VulkanBuffer] = [6: result]
        if let x { buffers[0] = try buffer(x) }
        if let gradient { buffers[1] = try buffer(gradient) }
        let constants = [UInt32(resultShape.count), mode.rawValue]
            + [input[2], input[3], oh, ow, p.kernel, p.stride, p.padding].map { UInt32(bitPattern: Int32($0)) }
        if resultShape.count > 0 { try dispatch(.pooling, buffers, constants, groups: Self.groups(resultShape.count, 256)) }
        return result
    }

    enum BatchNormMode: UInt32 { case moments = 0, forward, affineGradient, inputGradient }

    /// Binds x, moments, scale, shift, the output's gradient (or the forward pass's residual) and the
    /// affine gradient (whichever the mode reads) at bindings 0–5; the forward pass applies `activation`.
    func batchNorm(_ mode: BatchNormMode, _ tensors: [Int: Tensor], shape: Shape, epsilon: Float, _ resultCount: Int,
                   activation: Activation? = nil) throws -> VulkanBuffer {
        let result = try allocate(resultCount)
        var buffers: [Int: VulkanBuffer] = [6: result]
        for (binding, tensor) in tensors { buffers[binding] = try buffer(tensor) }
        let (n, c) = (shape[0], shape[1])
        let plane = shape[2] * shape[3]
        let activationCode: UInt32 = switch activation { case nil: 0; case .relu: 1; case .relu6: 2 }
        let residual: UInt32 = mode == .forward && tensors[4] != nil ? 1 : 0
        let constants: [UInt32] = [mode.rawValue, UInt32(n), UInt32(c), UInt32(plane), epsilon.bitPattern, activationCode, residual]
        let perChannel = mode == .moments || mode == .affineGradient
        guard shape.count > 0 else { return result }
        try dispatch(.batchNorm, buffers, constants, groups: perChannel ? (min(c, 65535), 1, 1) : Self.groups(shape.count, 256))
        return result
    }

    func crossEntropy(gradient: Bool, _ logits: Tensor, _ labels: Tensor, _ upstream: Tensor?, smoothing: Float) throws -> VulkanBuffer {
        let (n, c) = (logits.shape[0], logits.shape[1])
        let result = try allocate(gradient ? n * c : n)
        var buffers: [Int: VulkanBuffer] = [0: try buffer(logits), 1: try buffer(labels), 6: result]
        if let upstream { buffers[4] = try buffer(upstream) }
        if n > 0 {
            try dispatch(.crossEntropy, buffers, [gradient ? 1 : 0, UInt32(n), UInt32(c), smoothing.bitPattern], groups: Self.groups(n, 64))
        }
        return result
    }
}
