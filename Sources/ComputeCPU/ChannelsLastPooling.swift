import Compute

/// Max and average pooling over channels-last activations: each window's pixels are rows of `c`
/// channels, pooled a row at a time. Images are spread over threads, each whole on one, so results do
/// not depend on the thread count; windows, ties and padding are the NCHW kernels' (``FastPooling``).
enum ChannelsLastPooling {
    static func max(_ x: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        pooled(x, input, p, threads: threads, start: -.infinity) { row, pixel, c in
            for j in 0..<c { row[j] = Swift.max(row[j], pixel[j]) }
        } finish: { _, _ in }
    }

    /// Zero padding counts towards the average (PyTorch's count_include_pad).
    static func average(_ x: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        let area = Float(p.kernel * p.kernel)
        return pooled(x, input, p, threads: threads, start: 0) { row, pixel, c in
            for j in 0..<c { row[j] += pixel[j] }
        } finish: { row, c in
            for j in 0..<c { row[j] /= area }
        }
    }

    /// To the first maximum of each window (in row order), as PyTorch's max_pool2d.
    static func maxGradient(_ x: [Float], _ input: Shape, _ gradient: [Float], _ p: Pool2D, threads: Int) -> [Float] {
        let (c, w) = (input[1], input[3])
        return x.withUnsafeBufferPointer { xp in
            scattered(gradient, input, p, threads: threads) { image, target, upstream, y0, y1, x0, x1 in
                let source = xp.baseAddress! + image * input[2] * w * c
                for j in 0..<c {
                    var best = (y0 * w + x0) * c + j
                    for y in y0..<y1 {
                        for xx in x0..<x1 where source[(y * w + xx) * c + j] > source[best] { best = (y * w + xx) * c + j }
                    }
                    target[best] += upstream[j]
                }
            }
        }
    }

    static func averageGradient(_ gradient: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        let (c, w) = (input[1], input[3])
        let area = Float(p.kernel * p.kernel)
        return scattered(gradient, input, p, threads: threads) { _, target, upstream, y0, y1, x0, x1 in
            for y in y0..<y1 {
                for xx in x0..<x1 {
                    let pixel = target + (y * w + xx) * c
                    for j in 0..<c { pixel[j] += upstream[j] / area }
                }
            }
        }
    }

    /// The pooled image of each image of `x` (`[n, c, h, w]`, NHWC): each output pixel's row of channels
    /// starts at `start`, takes in each pixel of its window (`fold(row, pixel, c)`), then `finish(row, c)`.
    @inline(__always)
    private static func pooled(_ x: [Float], _ input: Shape, _ p: Pool2D, threads: Int, start: Float,
                               fold: (UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int) -> Void,
                               finish: (UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
        let (n, c, h, w) = (input[0], input[1], input[2], input[3])
        let (oh, ow) = p.outputSize(h, w)
        let (inImage, outImage) = (h * w * c, oh * ow * c)
        return x.withUnsafeBufferPointer { xp in
            [Float](unsafeUninitializedCapacity: n * outImage) { r, initialized in
                let out = r.baseAddress!
                Parallel.forEach(n, threads: threads) { image in
                    let source = xp.baseAddress! + image * inImage, target = out + image * outImage
                    FastPooling.windows(h, w, p) { o, y0, y1, x0, x1 in
                        let row = target + o * c
                        row.initialize(repeating: start, count: c)
                        for y in y0..<y1 {
                            for xx in x0..<x1 { fold(row, source + (y * w + xx) * c, c) }
                        }
                        finish(row, c)
                    }
                }
                initialized = n * outImage
            }
        }
    }

    /// The input's gradient (`input`'s shape, NHWC, zeroed) with `scatter(image, its gradient, the output
    /// pixel's row of `gradient`, window)` called for each output pixel of each image.
    @inline(__always)
    private static func scattered(_ gradient: [Float], _ input: Shape, _ p: Pool2D, threads: Int,
                                  _ scatter: (Int, UnsafeMutablePointer<Float>, UnsafePointer<Float>, Int, Int, Int, Int) -> Void) -> [Float] {
        let (n, c, h, w) = (input[0], input[1], input[2], input[3])
        let (oh, ow) = p.outputSize(h, w)
        let (inImage, outImage) = (h * w * c, oh * ow * c)
        return gradient.withUnsafeBufferPointer { gp in
            [Float](unsafeUninitializedCapacity: n * inImage) { r, initialized in
                let out = r.baseAddress!
                out.initialize(repeating: 0, count: n * inImage)
                Parallel.forEach(n, threads: threads) { image in
                    let target = out + image * inImage, upstream = gp.baseAddress! + image * outImage
                    FastPooling.windows(h, w, p) { o, y0, y1, x0, x1 in
                        guard y0 < y1, x0 < x1 else { return }
                        scatter(image, target, upstream + o * c, y0, y1, x0, x1)
                    }
                }
                initialized = n * inImage
            }
        }
    }
}
