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

        func constants(count: Int, mode: UInt32, firstImage: Int) -> [UInt32] {
            [UInt32(count), mode] + [channels, height, width, kernelHeight, kernelWidth, outputHeight, outputWidth,
                                     conv.stride.0, conv.stride.1, conv.padding.0, conv.padding.1, firstImage].map { UInt32(bitPattern: Int32($0)) }
        }

        /// Elements of one image's patch matrices.
        var patchElements: Int { groups * patchRows * positions }
    }

    /// The images per chunk, so that a chunk's patch matrices fit one storage buffer (and ``patchBytes``).
    func imagesPerChunk(_ g: ConvolutionGeometry) -> Int {
        let limit = min(Int(info.maxStorageBufferRange), patchBytes)
        return max(1, min(g.images, limit / max(g.patchElements * 4, 1)))
    }

    /// The patch matrices `[image][channel · kh · kw][oh · ow]` of images `first..<first + count` of `input`.
    func patches(_ input: VulkanBuffer, _ g: ConvolutionGeometry, first: Int, count: Int) throws -> VulkanBuffer {
        let elements = count * g.patchElements
        let result = try allocate(elements)
        try dispatch(.convolution, [0: input, 6: result], g.constants(count: elements, mode: 0, firstImage: first), groups: Self.groups(elements, 256))
        return result
    }

    /// Calls `body(first, count, patches, patchOffset)` for each chunk of images, with the chunk's patch
    /// matrices (the input itself for pointwise convolutions, then offset to the chunk's first image).
    private func forEachChunk(_ input: VulkanBuffer, _ g: ConvolutionGeometry,
                              _ body: (Int, Int, VulkanBuffer, Int) throws -> Void) throws {
        let chunk = g.isPointwise ? g.images : imagesPerChunk(g)
        for first in stride(from: 0, to: g.images, by: chunk) {
            let count = min(chunk, g.images - first)
            if g.isPointwise {
                try body(first, count, input, first * g.patchElements)
            } else {
                try body(first, count, try patches(input, g, first: first, count: count), 0)
            }
        }
    }

    func convolution(_ x: Tensor, _ w: Tensor, _ conv: Conv2D, _ output: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: w.shape, conv: conv)
        let weight = try buffer(w)
        let result = try allocate(output.count)
        let (rows, p) = (g.patchRows, g.positions)
        try forEachChunk(try buffer(x), g) { first, count, cols, colsOffset in
            for group in 0..<g.groups {
                try gemm(m: g.outputsPerGroup, n: p, k: rows, batches: count,
                         weight, MatrixLayout(offset: group * g.outputsPerGroup * rows, row: rows, column: 1),
                         cols, MatrixLayout(offset: colsOffset + group * rows * p, batch: g.patchElements, row: p, column: 1),
                         into: result, MatrixLayout(offset: (first * g.outputs + group * g.outputsPerGroup) * p, batch: g.outputs * p,
                                                    row: p, column: 1))
            }
        }
        return result
    }

    func convolutionInputGradient(_ dy: Tensor, _ w: Tensor, _ conv: Conv2D, inputShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: inputShape, weight: w.shape, conv: conv)
        let (rows, p) = (g.patchRows, g.positions)
        let gradient = try buffer(dy), weight = try buffer(w)
        let result = try allocate(inputShape.count)
        let chunk = g.isPointwise ? g.images : imagesPerChunk(g)
        for first in stride(from: 0, to: g.images, by: chunk) {
            let count = min(chunk, g.images - first)
            // Pointwise: the patch matrix is the input, so its gradient is the result itself.
            let columns = g.isPointwise ? result : try allocate(count * g.patchElements)
            let columnsOffset = g.isPointwise ? first * g.patchElements : 0
            for group in 0..<g.groups {
                // Wᵀ × dy per image: the gradient of the patch matrix.
                try gemm(m: rows, n: p, k: g.outputsPerGroup, batches: count,
                         weight, MatrixLayout(offset: group * g.outputsPerGroup * rows, row: 1, column: rows),
                         gradient, MatrixLayout(offset: (first * g.outputs + group * g.outputsPerGroup) * p, batch: g.outputs * p,
                                                row: p, column: 1),
                         into: columns, MatrixLayout(offset: columnsOffset + group * rows * p, batch: g.patchElements, row: p, column: 1))
            }
            if !g.isPointwise {
                let elements = count * g.channels * g.height * g.width
                try dispatch(.convolution, [0: columns, 6: result], g.constants(count: elements, mode: 1, firstImage: first),
                             groups: Self.groups(elements, 256))
            }
        }
        return result
    }

    func convolutionWeightGradient(_ x: Tensor, _ dy: Tensor, _ conv: Conv2D, weightShape: Shape) throws -> VulkanBuffer {
        let g = ConvolutionGeometry(input: x.shape, weight: weightShape, conv: conv)
        let (rows, p) = (g.patchRows, g.positions)
        let gradient = try buffer(dy)
        let weights = weightShape.count
        let result = try allocate(weights)
        var chunks = 0
        try forEachChunk(try buffer(x), g) { first, count, cols, colsOffset in
            // dy × patchesᵀ per image, then the sum over the chunk's images, added to the result.
            let perImage = try allocate(count * weights)
            for group in 0..<g.groups {
                try gemm(m: g.outputsPerGroup, n: rows, k: p, batches: count,
                         gradient, MatrixLayout(offset: (first * g.outputs + group * g.outputsPerGroup) * p, batch: g.outputs * p,
                                                row: p, column: 1),
                         cols, MatrixLayout(offset: colsOffset + group * rows * p, batch: g.patchElements, row: 1, column: p),
                         into: perImage, MatrixLayout(offset: group * g.outputsPerGroup * rows, batch: weights, row: rows, column: 1))
            }
            let sum = chunks == 0 ? result : try allocate(weights)
            try reduce(perImage, shape: [count, weights], reducedAxes: [0], maximum: false, into: sum)
            if chunks > 0 {
                try elementwise(.add, a: result, b: sum, into: result, dims: [weights], strides: [[1], [1], [1]])
            }
            chunks += 1
        }
        return result
    }
}
