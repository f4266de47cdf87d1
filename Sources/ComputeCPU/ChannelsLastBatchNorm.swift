import Compute

/// Batch normalisation over channels-last activations: the elements are `rows = n·h·w` rows of `c`
/// channels. Sums run over fixed blocks of rows (vectors of channels, in Float), the blocks' sums added
/// in Double in order: the result does not depend on the thread count.
enum ChannelsLastBatchNorm {
    /// Rows summed in Float before a block's sum joins the total.
    static let rowsPerBlock = 256

    static func moments(_ x: [Float], _ shape: Shape, threads: Int) -> [Float] {
        let c = shape[1], rows = shape.count / c
        let count = Double(rows)
        return x.withUnsafeBufferPointer { xp in
            let x = xp.baseAddress!
            let sums = blockSums(rows: rows, c: c, threads: threads) { row, acc in add(acc, x + row * c, c) }
            let mean = sums.map { Float($0 / count) }
            let squares = mean.withUnsafeBufferPointer { centre in
                blockSums(rows: rows, c: c, threads: threads) { row, acc in addSquaredDeviations(acc, x + row * c, centre.baseAddress!, c) }
            }
            return mean + squares.map { Float($0 / count) }
        }
    }

    static func forward(_ x: [Float], _ shape: Shape, _ moments: [Float], _ scale: [Float], _ shift: [Float], epsilon: Float,
                        threads: Int, adding residual: [Float]? = nil, activation: Activation? = nil) -> [Float] {
        let c = shape[1]
        var a = [Float](repeating: 0, count: c), b = [Float](repeating: 0, count: c)
        for j in 0..<c {
            a[j] = scale[j] / (moments[c + j] + epsilon).squareRoot()
            b[j] = shift[j] - moments[j] * a[j]
        }
        let (floor, ceiling): (Float, Float?) = switch activation {
        case nil: (-.infinity, nil)
        case .relu: (0, nil)
        case .relu6: (0, 6)
        }
        return affine(x, c: c, threads: threads, a, b, adding: residual, floor: floor, ceiling: ceiling)
    }

    /// `[2, c]`: Σ g·(x − mean)/σ (the scale's gradient), then Σ g (the shift's).
    static func affineGradient(_ x: [Float], _ shape: Shape, _ moments: [Float], _ g: [Float], epsilon: Float, threads: Int) -> [Float] {
        let c = shape[1], rows = shape.count / c
        let sums = x.withUnsafeBufferPointer { xp in
            g.withUnsafeBufferPointer { gp in
                moments.withUnsafeBufferPointer { m in
                    blockSums(rows: rows, c: 2 * c, threads: threads) { row, acc in
                        addSumAndWeighted(acc, gp.baseAddress! + row * c, xp.baseAddress! + row * c, m.baseAddress!, c)
                    }
                }
            }
        }
        return (0..<c).map { j in Float(sums[c + j] * Double(1 / (moments[c + j] + epsilon).squareRoot())) }
            + (0..<c).map { Float(sums[$0]) }
    }

    static func inputGradient(_ x: [Float], _ shape: Shape, _ moments: [Float], _ scale: [Float], _ g: [Float], _ affine: [Float],
                              epsilon: Float, threads: Int) -> [Float] {
        let c = shape[1]
        let count = Float(shape.count / c)
        // ∂x = k·g + b·x + constant per channel, as the NCHW kernel (FastBatchNorm.inputGradient).
        var k = [Float](repeating: 0, count: c), b = k, constant = k
        for j in 0..<c {
            let inverse = 1 / (moments[c + j] + epsilon).squareRoot()
            k[j] = scale[j] * inverse
            b[j] = -k[j] * inverse * affine[j] / count
            constant[j] = -k[j] * affine[c + j] / count - b[j] * moments[j]
        }
        let rows = shape.count / c
        return x.withUnsafeBufferPointer { xp in
            g.withUnsafeBufferPointer { gp in
                [Float](unsafeUninitializedCapacity: x.count) { result, initialized in
                    let (xs, gs, out) = (xp.baseAddress!, gp.baseAddress!, result.baseAddress!)
                    k.withUnsafeBufferPointer { k in
                        b.withUnsafeBufferPointer { b in
                            constant.withUnsafeBufferPointer { constant in
                                forBlocks(rows: rows, threads: threads) { range in
                                    let (k, b, constant) = (k.baseAddress!, b.baseAddress!, constant.baseAddress!)
                                    let vectors = c / 16 * 16
                                    for row in range {
                                        let o = row * c
                                        var j = 0
                                        while j < vectors {
                                            let v = Lanes.load(k + j) * Lanes.load(gs + o + j) + Lanes.load(b + j) * Lanes.load(xs + o + j)
                                                + Lanes.load(constant + j)
                                            v.store(out + o + j)
                                            j += 16
                                        }
                                        for j in vectors..<c { out[o + j] = k[j] * gs[o + j] + b[j] * xs[o + j] + constant[j] }
                                    }
                                }
                            }
                        }
                    }
                    initialized = x.count
                }
            }
        }
    }

    /// `x · a + b` per channel, plus `residual` where given, clamped to `floor` and `ceiling` where given.
    private static func affine(_ x: [Float], c: Int, threads: Int, _ a: [Float], _ b: [Float], adding residual: [Float]?,
                               floor: Float, ceiling: Float?) -> [Float] {
        (residual ?? []).withUnsafeBufferPointer { r in
            affine(x, c: c, threads: threads, a, b, floor: floor, ceiling: ceiling, residual: residual == nil ? nil : r.baseAddress)
        }
    }

    private static func affine(_ x: [Float], c: Int, threads: Int, _ a: [Float], _ b: [Float], floor: Float, ceiling: Float?,
                               residual: UnsafePointer<Float>?) -> [Float] {
        let rows = x.count / c
        return x.withUnsafeBufferPointer { xp in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    [Float](unsafeUninitializedCapacity: x.count) { result, initialized in
                        let (xs, out) = (xp.baseAddress!, result.baseAddress!)
                        let (a, b) = (a.baseAddress!, b.baseAddress!)
                        let vectors = c / 16 * 16
                        let (low, high) = (floor, ceiling ?? .infinity)
                        let (lows, highs) = (Lanes(repeating: low), Lanes(repeating: high))
                        let clamping = floor > -.infinity || ceiling != nil
                        forBlocks(rows: rows, threads: threads) { range in
                            for row in range {
                                let o = row * c
                                let r = residual.map { $0 + o }
                                var j = 0
                                while j < vectors {
                                    var v = Lanes.load(xs + o + j) * Lanes.load(a + j) + Lanes.load(b + j)
                                    if let r { v += Lanes.load(r + j) }
                                    if clamping {
                                        v.replace(with: lows, where: v .< lows)
                                        v.replace(with: highs, where: v .> highs)
                                    }
                                    v.store(out + o + j)
                                    j += 16
                                }
                                while j < c {
                                    var v = xs[o + j] * a[j] + b[j]
                                    if let r { v += r[j] }
                                    out[o + j] = clamping ? Swift.min(Swift.max(v, low), high) : v
                                    j += 1
                                }
                            }
                        }
                        initialized = x.count
                    }
                }
            }
        }
    }

    /// `body(range of rows)` over blocks of rows, spread over threads.
    static func forBlocks(rows: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        let blocks = (rows + rowsPerBlock - 1) / rowsPerBlock
        Parallel.forEach(blocks, threads: threads) { block in
            body((block * rowsPerBlock)..<Swift.min(rows, (block + 1) * rowsPerBlock))
        }
    }

    /// Per-column totals of `width` columns: each block of rows accumulates `accumulate(row, sums)` into
    /// its own Float sums, and the blocks' sums are added in Double, in block order.
    private static func blockSums(rows: Int, c width: Int, threads: Int,
                                  _ accumulate: (Int, UnsafeMutablePointer<Float>) -> Void) -> [Double] {
        let blocks = (rows + rowsPerBlock - 1) / rowsPerBlock
        var partial = [Float](repeating: 0, count: blocks * width)
        partial.withUnsafeMutableBufferPointer { p in
            let base = p.baseAddress!
            Parallel.forEach(blocks, threads: threads) { block in
                let acc = base + block * width
                for row in (block * rowsPerBlock)..<Swift.min(rows, (block + 1) * rowsPerBlock) { accumulate(row, acc) }
            }
        }
        var totals = [Double](repeating: 0, count: width)
        for block in 0..<blocks {
            for j in 0..<width { totals[j] += Double(partial[block * width + j]) }
        }
        return totals
    }

    @inline(__always)
    private static func add(_ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ c: Int) {
        var j = 0
        while j + 16 <= c { (Lanes.load(acc + j) + Lanes.load(x + j)).store(acc + j); j += 16 }
        while j < c { acc[j] += x[j]; j += 1 }
    }

    @inline(__always)
    private static func addSquaredDeviations(_ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ mean: UnsafePointer<Float>, _ c: Int) {
        var j = 0
        while j + 16 <= c {
            let d = Lanes.load(x + j) - Lanes.load(mean + j)
            (Lanes.load(acc + j) + d * d).store(acc + j)
            j += 16
        }
        while j < c { let d = x[j] - mean[j]; acc[j] += d * d; j += 1 }
    }

    /// acc[0..<c] += g, acc[c..<2c] += g·(x − mean).
    @inline(__always)
    private static func addSumAndWeighted(_ acc: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                          _ mean: UnsafePointer<Float>, _ c: Int) {
        var j = 0
        while j + 16 <= c {
            let gl = Lanes.load(g + j)
            (Lanes.load(acc + j) + gl).store(acc + j)
            (Lanes.load(acc + c + j) + gl * (Lanes.load(x + j) - Lanes.load(mean + j))).store(acc + c + j)
            j += 16
        }
        while j < c {
            acc[j] += g[j]
            acc[c + j] += g[j] * (x[j] - mean[j])
            j += 1
        }
    }
}

/// Sixteen floats, loaded from and stored to unaligned memory.
typealias Lanes = SIMD16<Float>

extension SIMD16<Float> {
    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Self { UnsafeRawPointer(p).loadUnaligned(as: Self.self) }
    @inline(__always)
    func store(_ p: UnsafeMutablePointer<Float>) { UnsafeMutableRawPointer(p).storeBytes(of: self, as: Self.self) }
}
