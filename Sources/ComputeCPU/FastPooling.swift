import Compute

/// Max and average pooling over NCHW planes with pointer loops, planes spread over threads (each
/// plane whole on one thread, so results do not depend on the thread count).
enum FastPooling {
    /// Calls `body(outputIndex, windowStartY, windowStartX)` for each output of one plane, with the
    /// window clipped to the image: rows `y0..<y1`, columns `x0..<x1`.
    @inline(__always)
    static func windows(_ h: Int, _ w: Int, _ p: Pool2D, _ body: (Int, Int, Int, Int, Int) -> Void) {
        let (oh, ow) = p.outputSize(h, w)
        for oy in 0..<oh {
            let top = oy * p.stride - p.padding
            let (y0, y1) = (Swift.max(top, 0), Swift.min(top + p.kernel, h))
            for ox in 0..<ow {
                let left = ox * p.stride - p.padding
                body(oy * ow + ox, y0, y1, Swift.max(left, 0), Swift.min(left + p.kernel, w))
            }
        }
    }

    static func max(_ input: Tensor, _ p: Pool2D, _ output: Shape, threads: Int) -> [Float] {
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let outPlane = output[2] * output[3]
        return input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: output.count) { r, n in
                let out = r.baseAddress!
                Parallel.forEach(planes, threads: threads) { plane in
                    let source = x.baseAddress! + plane * h * w, target = out + plane * outPlane
                    windows(h, w, p) { o, y0, y1, x0, x1 in
                        var best = -Float.infinity
                        for y in y0..<y1 { for xx in x0..<x1 { best = Swift.max(best, source[y * w + xx]) } }
                        target[o] = best
                    }
                }
                n = output.count
            }
        }
    }

    /// To the first maximum of each window, as PyTorch's max_pool2d.
    static func maxGradient(_ input: Tensor, _ gradient: Tensor, _ p: Pool2D, threads: Int) -> [Float] {
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let outPlane = gradient.shape[2] * gradient.shape[3]
        return input.values.withUnsafeBufferPointer { x in
            gradient.values.withUnsafeBufferPointer { g in
                [Float](unsafeUninitializedCapacity: input.shape.count) { r, n in
                    let out = r.baseAddress!
                    out.initialize(repeating: 0, count: input.shape.count)
                    Parallel.forEach(planes, threads: threads) { plane in
                        let source = x.baseAddress! + plane * h * w, target = out + plane * h * w
                        let upstream = g.baseAddress! + plane * outPlane
                        windows(h, w, p) { o, y0, y1, x0, x1 in
                            guard y0 < y1, x0 < x1 else { return }
                            var best = y0 * w + x0
                            for y in y0..<y1 { for xx in x0..<x1 where source[y * w + xx] > source[best] { best = y * w + xx } }
                            target[best] += upstream[o]
                        }
                    }
                    n = input.shape.count
                }
            }
        }
    }

    /// Zero padding counts towards the average (PyTorch's count_include_pad).
    static func average(_ input: Tensor, _ p: Pool2D, _ output: Shape, threads: Int) -> [Float] {
        let (planes, h, w) = (input.shape[0] * input.shape[1], input.shape[2], input.shape[3])
        let outPlane = output[2] * output[3], area = Float(p.kernel * p.kernel)
        return input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: output.count) { r, n in
                let out = r.baseAddress!
                Parallel.forEach(planes, threads: threads) { plane in
                    let source = x.baseAddress! + plane * h * w, target = out + plane * outPlane
                    windows(h, w, p) { o, y0, y1, x0, x1 in
                        var total: Float = 0
                        for y in y0..<y1 { for xx in x0..<x1 { total += source[y * w + xx] } }
                        target[o] = total / area
                    }
                }
                n = output.count
            }
        }
    }

    static func averageGradient(_ gradient: Tensor, _ p: Pool2D, _ xs: Shape, threads: Int) -> [Float] {
        let (planes, h, w) = (xs[0] * xs[1], xs[2], xs[3])
        let outPlane = gradient.shape[2] * gradient.shape[3], area = Float(p.kernel * p.kernel)
        return gradient.values.withUnsafeBufferPointer { g in
            [Float](unsafeUninitializedCapacity: xs.count) { r, n in
                let out = r.baseAddress!
                out.initialize(repeating: 0, count: xs.count)
                Parallel.forEach(planes, threads: threads) { plane in
                    let target = out + plane * h * w, upstream = g.baseAddress! + plane * outPlane
                    windows(h, w, p) { o, y0, y1, x0, x1 in
                        let share = upstream[o] / area
                        for y in y0..<y1 { for xx in x0..<x1 { target[y * w + xx] += share } }
                    }
                }
                n = xs.count
            }
        }
    }
}
