import Compute

/// Matrix products and convolutions: matrix products in the gemm shader; convolutions, their input
/// and weight gradients as implicit matrix products in the implicit_gemm shaders, which gather the
/// patches (im2col) into their tiles without writing them out.
extension VulkanBackend {
    /// `x × y` for row-major `[m, k]` and `[k, n]`. The gemm shader takes an offset and batch, row and
    /// column strides for each operand; a plain product passes zero offsets and unit column strides.
    func matmul(_ x: Tensor, _ y: Tensor) throws -> VulkanBuffer {
        let (m, k, n) = (x.shape[0], x.shape[1], y.shape[1])
        let result = try allocate(m * n)
        guard m > 0 && n > 0 else { return result }
        let constants = [m, n, k, 0, 0, k, 1, 0, 0, n, 1, 0, 0, n, 1].map(UInt32.init)
        let tiles = ProductTiles.product(rows: m, columns: n, batches: 1, large: largeTiles, available: library.has(.gemm128),
                                         computeUnits: info.computeUnits)
        try dispatch(tiles.shader, [0: try buffer(x), 1: try buffer(y), 6: result], constants,
                     groups: ((n + tiles.columns - 1) / tiles.columns, (m + tiles.rows - 1) / tiles.rows, 1))
        return result
    }

    /// A convolution's sizes.
    struct ConvolutionGeometry {
        let images, channels, height, width, outputs, kernelHeight, kernelWidth, outputHeight, outputWidth: Int
        let conv: Conv2D
        var groups: Int { conv.groups }
        var positions: Int { outputHeight * outputWidth }
        /// Elements of the weights: outputs · (channels / groups) · kh · kw.
        var weightCount: Int { outputs * channels / groups * kernelHeight * kernelWidth }

        init(input: Shape, weight: Shape, conv: Conv2D) {
            (images, channels, height, width) = (input[0], input[1], input[2], input[3])
            (outputs, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
            (outputHeight, outputWidth) = conv.outputSize(height, width, kernelHeight, kernelWidth)
            self.conv = conv
        }

        /// The implicit_gemm shader's push constants for `mode` (0 forward, 1 input gradient, 2 weight gradient).
        func constants(mode: Int, imagesPerSlice: Int = 1) -> [UInt32] {
            [mode, images, channels, height, width, outputs, outputHeight, outputWidth, kernelHeight, kernelWidth,
             conv.stride.0, conv.stride.1, conv.padding.0, conv.padding.1, groups, imagesPerSlice].map { UInt32(bitPattern: Int32($0)) }
        }
    }

    /// The implicit_gemm variant for an `m × n` result computed `batches` times (groups × slices).
    func implicitGemmTiles(rows m: Int, columns n: Int, batches: Int) -> ProductTiles {
        ProductTiles.convolution(rows: m, columns: n, batches: batches, large: largeTiles, available: largeTilesAvailable,
                                 computeUnits: info.computeUnits)
    }

    /// Dispatches implicit_gemm over an `m × n` result per group and per slice (of images for the weight
    /// gradient, of pixels for the input gradient).
    private func implicitGemm(_ g: ConvolutionGeometry, mode: Int, m: Int, n: Int, slices: Int = 1, imagesPerSlice: Int = 1,
                              _ a: VulkanBuffer, _ b: VulkanBuffer, into c: VulkanBuffer) throws {
        guard m > 0 && n > 0 else { return }
        let tiles = implicitGemmTiles(rows: m, columns: n, batches: g.groups * slices)
        try dispatch(tiles.shader, [0: a, 1: b, 6: c], g.constants(mode: mode, imagesPerSlice: imagesPerSlice),
                     groups: (min((n + tiles.columns - 1) / tiles.columns, 65535), (m + tiles.rows - 1) / tiles.rows, g.groups * slices))
    }

    func convolution(_ x: Tensor, _ w: Tensor, _ conv: Conv2D, _ output: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, conv: conv)
        let result = try allocate(output.count)
        try implicitGemm(g, mode: 0, m: g.outputs / g.groups, n: g.images * g.positions, try buffer(w), try buffer(x), into: result)
        return result
    }

    func convolutionInputGradient(_ dy: Tensor, _ w: Tensor, _ conv: Conv2D, inputShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: inputShape, weight: w.shape, conv: conv)
        let result = try allocate(inputShape.count)
        // One phase per residue of the input pixels modulo the stride; phase (0, 0) has the most pixels.
        let (sy, sx) = conv.stride
        let phasePixels = ((g.height + sy - 1) / sy) * ((g.width + sx - 1) / sx)
        try implicitGemm(g, mode: 1, m: g.channels / g.groups, n: g.images * phasePixels, slices: sy * sx,
                         try buffer(w), try buffer(dy), into: result)
        return result
    }

    /// Slices the weight gradient's sum over images is split into, each summed by its own workgroups,
    /// so that a small kernel's few result tiles still occupy the device: enough for the workgroups that
    /// keep it busy (``ProductTiles/busyWorkgroups(computeUnits:)``), at most ``weightGradientSlices`` and
    /// one per image.
    /// With no images, one slice sums nothing and writes zeros.
    func weightGradientSlicing(_ g: ConvolutionGeometry) -> (slices: Int, imagesPerSlice: Int) {
        guard g.images > 0 else { return (1, 1) }
        let (m, n) = (g.outputs / g.groups, g.weightCount / g.outputs)
        let tiles = implicitGemmTiles(rows: m, columns: n, batches: g.groups).workgroups(rows: m, columns: n, batches: g.groups)
        let wanted = min(max(1, ProductTiles.busyWorkgroups(computeUnits: info.computeUnits) / max(tiles, 1)), weightGradientSlices, g.images)
        let perSlice = (g.images + wanted - 1) / wanted
        return ((g.images + perSlice - 1) / perSlice, perSlice)
    }

    func convolutionWeightGradient(_ x: Tensor, _ dy: Tensor, _ conv: Conv2D, weightShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: weightShape, conv: conv)
        let result = try allocate(g.weightCount)
        let (slices, perSlice) = weightGradientSlicing(g)
        let partial = slices == 1 ? result : try allocate(slices * g.weightCount)
        try implicitGemm(g, mode: 2, m: g.outputs / g.groups, n: g.weightCount / g.outputs, slices: slices, imagesPerSlice: perSlice,
                         try buffer(dy), try buffer(x), into: partial)
        if slices > 1 { try reduce(partial, shape: [slices, g.weightCount], reducedAxes: [0], maximum: false, into: result) }
        return result
    }
}
