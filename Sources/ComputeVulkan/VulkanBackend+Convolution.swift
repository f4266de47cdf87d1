import Compute

/// Matrix products and convolutions: convolutions are im2col (or the input itself for 1 × 1
/// kernels) followed by batched matrix products in the gemm shader, whose strides make every
/// transpose free.
extension VulkanBackend {
    /// Strides of one operand of a batched matrix product: element (batch, row, column).
    struct MatrixLayout {
        var offset = 0, batch = 0, row: Int, column: Int

        init(offset: Int = 0, batch: Int = 0, row: Int, column: Int) {
            (self.offset, self.batch, self.row, self.column) = (offset, batch, row, column)
        }

        var constants: [UInt32] { [offset, batch, row, column].map(UInt32.init) }
    }

    /// `c[b] = a[b] × b[b]` for `batches` batches of `[m, k] × [k, n]`.
    func gemm(m: Int, n: Int, k: Int, batches: Int = 1, _ a: VulkanBuffer, _ aLayout: MatrixLayout, _ b: VulkanBuffer,
              _ bLayout: MatrixLayout, into c: VulkanBuffer, _ cLayout: MatrixLayout) throws {
        guard m > 0 && n > 0 && batches > 0 else { return }
        let constants = [m, n, k].map(UInt32.init) + aLayout.constants + bLayout.constants + cLayout.constants
        try dispatch(.gemm, [0: a, 1: b, 6: c], constants, groups: ((n + 63) / 64, (m + 63) / 64, batches))
    }

    func matmul(_ x: Tensor, _ y: Tensor) throws -> VulkanBuffer {
        let (m, k, n) = (x.shape[0], x.shape[1], y.shape[1])
        let result = try allocate(m * n)
        try gemm(m: m, n: n, k: k, try buffer(x), MatrixLayout(row: k, column: 1), try buffer(y), MatrixLayout(row: n, column: 1),
                 into: result, MatrixLayout(row: n, column: 1))
        return result
    }

    /// A convolution's sizes.
    struct ConvolutionGeometry {
        let images, channels, height, width, outputs, kernelHeight, kernelWidth, outputHeight, outputWidth: Int
        let conv: Conv2D
        var groups: Int { conv.groups }
        /// Rows of one group's patch matrix: (channels / groups) · kh · kw.
        var patchRows: Int { channels / groups * kernelHeight * kernelWidth }
        var positions: Int { outputHeight * outputWidth }
        var outputsPerGroup: Int { outputs / groups }
        /// Whether the input is its own patch matrix (1 × 1 kernel, stride 1, no padding).
        var isPointwise: Bool {
            kernelHeight == 1 && kernelWidth == 1 && conv.stride == (1, 1) && conv.padding == (0, 0)
        }

        init(input: Shape, weight: Shape, conv: Conv2D) {
            (images, channels, height, width) = (input[0], input[1], input[2], input[3])
            (outputs, kernelHeight, kernelWidth) = (weight[0], weight[2], weight[3])
            (outputHeight, outputWidth) = conv.outputSize(height, width, kernelHeight, kernelWidth)
            self.conv = conv
        }

        func constants(count: Int, mode: UInt32) -> [UInt32] {
            [UInt32(count), mode] + [channels, height, width, kernelHeight, kernelWidth, outputHeight, outputWidth,
                                     conv.stride.0, conv.stride.1, conv.padding.0, conv.padding.1].map { UInt32(bitPattern: Int32($0)) }
        }
    }

    /// The patch matrices `[image][channel · kh · kw][oh · ow]` of `input`.
    func patches(_ input: VulkanBuffer, _ g: ConvolutionGeometry) throws -> VulkanBuffer {
        if g.isPointwise { return input }
        let count = g.images * g.groups * g.patchRows * g.positions
        let result = try allocate(count)
        try dispatch(.convolution, [0: input, 6: result], g.constants(count: count, mode: 0), groups: Self.groups(count, 256))
        return result
    }

    func convolution(_ x: Tensor, _ w: Tensor, _ conv: Conv2D, _ output: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, conv: conv)
        let cols = try patches(try buffer(x), g), weight = try buffer(w)
        let result = try allocate(output.count)
        let (rows, p) = (g.patchRows, g.positions)
        for group in 0..<g.groups {
            try gemm(m: g.outputsPerGroup, n: p, k: rows, batches: g.images,
                     weight, MatrixLayout(offset: group * g.outputsPerGroup * rows, row: rows, column: 1),
                     cols, MatrixLayout(offset: group * rows * p, batch: g.groups * rows * p, row: p, column: 1),
                     into: result, MatrixLayout(offset: group * g.outputsPerGroup * p, batch: g.outputs * p, row: p, column: 1))
        }
        return result
    }

    func convolutionInputGradient(_ dy: Tensor, _ w: Tensor, _ conv: Conv2D, inputShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: inputShape, weight: w.shape, conv: conv)
        let (rows, p) = (g.patchRows, g.positions)
        let gradient = try buffer(dy), weight = try buffer(w)
        let result = try allocate(inputShape.count)
        let columns = g.isPointwise ? result : try allocate(g.images * g.groups * rows * p)
        for group in 0..<g.groups {
            // Wᵀ × dy per image: the gradient of the patch matrix.
            try gemm(m: rows, n: p, k: g.outputsPerGroup, batches: g.images,
                     weight, MatrixLayout(offset: group * g.outputsPerGroup * rows, row: 1, column: rows),
                     gradient, MatrixLayout(offset: group * g.outputsPerGroup * p, batch: g.outputs * p, row: p, column: 1),
                     into: columns, MatrixLayout(offset: group * rows * p, batch: g.groups * rows * p, row: p, column: 1))
        }
        if !g.isPointwise {
            let count = inputShape.count
            try dispatch(.convolution, [0: columns, 6: result], g.constants(count: count, mode: 1), groups: Self.groups(count, 256))
        }
        return result
    }

    func convolutionWeightGradient(_ x: Tensor, _ dy: Tensor, _ conv: Conv2D, weightShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: weightShape, conv: conv)
        let (rows, p) = (g.patchRows, g.positions)
        let cols = try patches(try buffer(x), g), gradient = try buffer(dy)
        let result = try allocate(weightShape.count)
        // dy × patchesᵀ per image, then the sum over images.
        let perImage = g.images == 1 ? result : try allocate(g.images * weightShape.count)
        for group in 0..<g.groups {
            try gemm(m: g.outputsPerGroup, n: rows, k: p, batches: g.images,
                     gradient, MatrixLayout(offset: group * g.outputsPerGroup * p, batch: g.outputs * p, row: p, column: 1),
                     cols, MatrixLayout(offset: group * rows * p, batch: g.groups * rows * p, row: 1, column: p),
                     into: perImage, MatrixLayout(offset: group * g.outputsPerGroup * rows, batch: weightShape.count, row: rows, column: 1))
        }
        if g.images > 1 {
            try reduce(perImage, shape: [g.images, weightShape.count], reducedAxes: [0], maximum: false, into: result)
        }
        return result
    }
}
