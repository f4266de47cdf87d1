import Compute

/// How the CPU computes a convolution's input gradient. oneDNN 2.6's backward-data kernels are
/// slower than its (brgemm-based) forward ones where planes are large, and so slow for a strided 1 × 1
/// convolution over large planes (ResNet-18's 32 × 32 → 16 × 16 shortcut: 54 ms against 4 ms forward)
/// that two cheaper equivalents are used where they apply.
enum InputGradientRoute: Equatable {
    /// oneDNN's backward-data kernel.
    case backwardData
    /// A stride-1 convolution's input gradient is a forward convolution of the output gradient with
    /// the weights transposed (input and output channels swapped) and rotated half a turn, padded by
    /// kernel − 1 − padding on each side: `conv` with weights of shape `weight`.
    case rotatedForward(conv: Conv2D, weight: Shape)
    /// A strided 1 × 1 convolution's input gradient is the output gradient times the transposed
    /// weights (a 1 × 1 forward convolution with weights of shape `weight`) at every stride-th pixel,
    /// zero between.
    case pointwiseScatter(weight: Shape)

    /// The route for the input gradient of `conv` with weights `weight` and output `output` (NCHW
    /// dims): backward data for groups other than 1, padding the kernel does not cover, or output
    /// planes under 8 × 8, where oneDNN's backward-data kernel measured faster (ResNet-18's 4 × 4
    /// layers: 41–44 ms against 46–49 forward).
    static func of(_ conv: Conv2D, weight: Shape, output: Shape) -> InputGradientRoute {
        let (kh, kw) = (weight[2], weight[3])
        guard conv.groups == 1, output[2] * output[3] >= 64 else { return .backwardData }
        let transposed = Shape([weight[1], weight[0], kh, kw])
        if conv.stride == (1, 1), conv.padding.0 < kh, conv.padding.1 < kw {
            var rotated = Conv2D()
            rotated.padding = (kh - 1 - conv.padding.0, kw - 1 - conv.padding.1)
            return .rotatedForward(conv: rotated, weight: transposed)
        }
        if (kh, kw) == (1, 1), conv.padding == (0, 0) { return .pointwiseScatter(weight: transposed) }
        return .backwardData
    }
}

extension DNNLConvolution {
    /// The input gradient by `InputGradientRoute.rotatedForward`: `g` is the output gradient (NHWC),
    /// `w` the weights (OIHW).
    func inputGradientByRotatedForward(_ g: [Float], _ w: [Float], conv: Conv2D, weight: Shape, rotated: Shape,
                                       input: Shape, output: Shape) throws(ComputeError) -> [Float] {
        let buffer = rotatedWeightBuffer(rotated)
        w.withUnsafeBufferPointer { Self.transposeAndRotate($0, weight, into: buffer) }
        return try execute(Key(direction: .forward, input: output, weight: rotated, output: input, conv: conv), g, buffer, count: input.count)
    }

    /// The input gradient by `InputGradientRoute.pointwiseScatter`.
    func inputGradientByPointwiseScatter(_ g: [Float], _ w: [Float], conv: Conv2D, weight: Shape, transposed: Shape,
                                         input: Shape, output: Shape) throws(ComputeError) -> [Float] {
        let buffer = rotatedWeightBuffer(transposed)
        w.withUnsafeBufferPointer { Self.transposeAndRotate($0, weight, into: buffer) }
        let (n, channels, oh, ow) = (output[0], input[1], output[2], output[3])
        let compactShape = Shape([n, channels, oh, ow])
        let compact = try execute(Key(direction: .forward, input: output, weight: transposed, output: compactShape, conv: Conv2D()),
                                  g, buffer, count: compactShape.count)
        let (h, wide) = (input[2], input[3])
        let (sy, sx) = conv.stride
        return [Float](unsafeUninitializedCapacity: input.count) { out, initialized in
            compact.withUnsafeBufferPointer { c in
                let (c, out) = (c.baseAddress!, out.baseAddress!)
                Parallel.forEach(n * h, threads: threads) { row in
                    let (image, y) = row.quotientAndRemainder(dividingBy: h)
                    let target = out + row * wide * channels
                    target.initialize(repeating: 0, count: wide * channels)
                    guard y % sy == 0, y / sy < oh else { return }
                    let source = c + ((image * oh + y / sy) * ow) * channels
                    for x in 0..<ow where x * sx < wide {
                        (target + x * sx * channels).update(from: source + x * channels, count: channels)
                    }
                }
            }
            initialized = input.count
        }
    }

    /// Writes `w[o][i][y][x]` (OIHW) to `rotated[i][o][kh−1−y][kw−1−x]`.
    static func transposeAndRotate(_ w: UnsafeBufferPointer<Float>, _ shape: Shape, into rotated: UnsafeMutablePointer<Float>) {
        let (outputs, inputs, kh, kw) = (shape[0], shape[1], shape[2], shape[3])
        let plane = kh * kw
        for o in 0..<outputs {
            for i in 0..<inputs {
                let from = (o * inputs + i) * plane, to = (i * outputs + o) * plane
                for p in 0..<plane { rotated[to + plane - 1 - p] = w[from + p] }
            }
        }
    }

    private func rotatedWeightBuffer(_ shape: Shape) -> UnsafeMutablePointer<Float> {
        if let buffer = rotatedWeights[shape] { return buffer }
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: shape.count)
        rotatedWeights[shape] = buffer
        return buffer
    }
}
