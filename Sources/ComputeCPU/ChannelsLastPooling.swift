import Compute

/// Max and average pooling over channels-last activations: each window's pixels are rows of `c`
/// channels, pooled a row at a time. Images are spread over threads, each whole on one, so results do
/// not depend on the thread count; ties and padding follow the NCHW kernels (``FastPooling``).
enum ChannelsLastPooling {
    /// The geometry of a pooling of `[n, c, h, w]`: output size, and for output pixel (oy, ox) its
    /// window clipped to the image.
    private struct Geometry {
        let n: Int, c: Int, h: Int, w: Int, oh: Int, ow: Int
        let p: Pool2D

        init(_ input: Shape, _ p: Pool2D) {
            (n, c, h, w) = (input[0], input[1], input[2], input[3])
            (oh, ow) = p.outputSize(h, w)
            self.p = p
        }

        @inline(__always)
        func forEachWindow(_ body: (_ o: Int, _ y0: Int, _ y1: Int, _ x0: Int, _ x1: Int) -> Void) {
            for oy in 0..<oh {
                let top = oy * p.stride - p.padding
                let (y0, y1) = (Swift.max(top, 0), Swift.min(top + p.kernel, h))
                for ox in 0..<ow {
                    let left = ox * p.stride - p.padding
                    body(oy * ow + ox, y0, y1, Swift.max(left, 0), Swift.min(left + p.kernel, w))
                }
            }
        }
    }

    static func max(_ x: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        let g = Geometry(input, p)
        let (c, inImage, outImage) = (g.c, g.h * g.w * g.c, g.oh * g.ow * g.c)
        return x.withUnsafeBufferPointer { xp in
            [Float](unsafeUninitializedCapacity: g.n * outImage) { r, initialized in
                let out = r.baseAddress!
                Parallel.forEach(g.n, threads: threads) { image in
                    let source = xp.baseAddress! + image * inImage, target = out + image * outImage
                    g.forEachWindow { o, y0, y1, x0, x1 in
                        let row = target + o * c
                        row.initialize(repeating: -.infinity, count: c)
                        for y in y0..<y1 {
                            for xx in x0..<x1 {
                                let pixel = source + (y * g.w + xx) * c
                                for j in 0..<c { row[j] = Swift.max(row[j], pixel[j]) }
                            }
                        }
                    }
                }
                initialized = g.n * outImage
            }
        }
    }

    /// To the first maximum of each window (in row order), as PyTorch's max_pool2d.
    static func maxGradient(_ x: [Float], _ input: Shape, _ gradient: [Float], _ p: Pool2D, threads: Int) -> [Float] {
        let g = Geometry(input, p)
        let (c, inImage, outImage) = (g.c, g.h * g.w * g.c, g.oh * g.ow * g.c)
        return x.withUnsafeBufferPointer { xp in
            gradient.withUnsafeBufferPointer { gp in
                [Float](unsafeUninitializedCapacity: g.n * inImage) { r, initialized in
                    let out = r.baseAddress!
                    out.initialize(repeating: 0, count: g.n * inImage)
                    Parallel.forEach(g.n, threads: threads) { image in
                        let source = xp.baseAddress! + image * inImage, target = out + image * inImage
                        let upstream = gp.baseAddress! + image * outImage
                        var best = [Int](repeating: 0, count: c)
                        g.forEachWindow { o, y0, y1, x0, x1 in
                            guard y0 < y1, x0 < x1 else { return }
                            for j in 0..<c { best[j] = (y0 * g.w + x0) * c + j }
                            for y in y0..<y1 {
                                for xx in x0..<x1 {
                                    let pixel = (y * g.w + xx) * c
                                    for j in 0..<c where source[pixel + j] > source[best[j]] { best[j] = pixel + j }
                                }
                            }
                            for j in 0..<c { target[best[j]] += upstream[o * c + j] }
                        }
                    }
                    initialized = g.n * inImage
                }
            }
        }
    }

    /// Zero padding counts towards the average (PyTorch's count_include_pad).
    static func average(_ x: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        let g = Geometry(input, p)
        let (c, inImage, outImage) = (g.c, g.h * g.w * g.c, g.oh * g.ow * g.c)
        let area = Float(p.kernel * p.kernel)
        return x.withUnsafeBufferPointer { xp in
            [Float](unsafeUninitializedCapacity: g.n * outImage) { r, initialized in
                let out = r.baseAddress!
                Parallel.forEach(g.n, threads: threads) { image in
                    let source = xp.baseAddress! + image * inImage, target = out + image * outImage
                    g.forEachWindow { o, y0, y1, x0, x1 in
                        let row = target + o * c
                        row.initialize(repeating: 0, count: c)
                        for y in y0..<y1 {
                            for xx in x0..<x1 {
                                let pixel = source + (y * g.w + xx) * c
                                for j in 0..<c { row[j] += pixel[j] }
                            }
                        }
                        for j in 0..<c { row[j] /= area }
                    }
                }
                initialized = g.n * outImage
            }
        }
    }

    static func averageGradient(_ gradient: [Float], _ input: Shape, _ p: Pool2D, threads: Int) -> [Float] {
        let g = Geometry(input, p)
        let (c, inImage, outImage) = (g.c, g.h * g.w * g.c, g.oh * g.ow * g.c)
        let area = Float(p.kernel * p.kernel)
        return gradient.withUnsafeBufferPointer { gp in
            [Float](unsafeUninitializedCapacity: g.n * inImage) { r, initialized in
                let out = r.baseAddress!
                out.initialize(repeating: 0, count: g.n * inImage)
                Parallel.forEach(g.n, threads: threads) { image in
                    let target = out + image * inImage, upstream = gp.baseAddress! + image * outImage
                    g.forEachWindow { o, y0, y1, x0, x1 in
                        for y in y0..<y1 {
                            for xx in x0..<x1 {
                                let pixel = target + (y * g.w + xx) * c
                                for j in 0..<c { pixel[j] += upstream[o * c + j] / area }
                            }
                        }
                    }
                }
                initialized = g.n * inImage
            }
        }
    }
}
