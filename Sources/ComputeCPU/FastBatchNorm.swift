import Compute

/// Batch normalisation kernels over NCHW: SIMD sums per plane, Double across planes, channels spread
/// over threads. Each channel is computed whole by one thread, so results do not depend on the
/// thread count.
enum FastBatchNorm {
    static func moments(_ input: Tensor, threads: Int) -> [Float] {
        let (c, n, plane) = BatchNormalization.geometry(input.shape)
        let count = Double(n * plane)
        return input.values.withUnsafeBufferPointer { x in
            perChannel(c, pairs: 2, threads: threads) { channel in
                var total = 0.0
                for image in 0..<n { total += Double(SIMDSum.sum(x.baseAddress! + (image * c + channel) * plane, plane)) }
                let mean = total / count
                var squares = 0.0
                for image in 0..<n {
                    squares += Double(SIMDSum.squaredDeviations(x.baseAddress! + (image * c + channel) * plane, plane, from: Float(mean)))
                }
                return (Float(mean), Float(squares / count))
            }
        }
    }

    static func forward(_ input: Tensor, _ moments: Tensor, _ scale: Tensor, _ shift: Tensor, epsilon: Float, threads: Int,
                        activation: Activation? = nil) -> [Float] {
        let (c, n, plane) = BatchNormalization.geometry(input.shape)
        let m = moments.values, gamma = scale.values, beta = shift.values
        return input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: x.count) { y, initialized in
                let out = y.baseAddress!
                Parallel.forEach(c, threads: threads) { channel in
                    let inverse = 1 / (m[c + channel] + epsilon).squareRoot()
                    let a = gamma[channel] * inverse, b = beta[channel] - m[channel] * a
                    for image in 0..<n {
                        let offset = (image * c + channel) * plane
                        let source = x.baseAddress! + offset, target = out + offset
                        switch activation {
                        case nil: for i in 0..<plane { target[i] = source[i] * a + b }
                        case .relu: for i in 0..<plane { target[i] = Swift.max(source[i] * a + b, 0) }
                        case .relu6: for i in 0..<plane { target[i] = Swift.min(Swift.max(source[i] * a + b, 0), 6) }
                        }
                    }
                }
                initialized = x.count
            }
        }
    }

    static func affineGradient(_ input: Tensor, _ moments: Tensor, _ gradient: Tensor, epsilon: Float, threads: Int) -> [Float] {
        let (c, n, plane) = BatchNormalization.geometry(input.shape)
        let m = moments.values
        return input.values.withUnsafeBufferPointer { x in
            gradient.values.withUnsafeBufferPointer { g in
                perChannel(c, pairs: 2, threads: threads) { channel in
                    let inverse = Double(1 / (m[c + channel] + epsilon).squareRoot())
                    var (weighted, total) = (0.0, 0.0)
                    for image in 0..<n {
                        let offset = (image * c + channel) * plane
                        let sums = SIMDSum.sumAndWeighted(g.baseAddress! + offset, x.baseAddress! + offset, plane, centre: m[channel])
                        total += Double(sums.sum)
                        weighted += Double(sums.weighted)
                    }
                    return (Float(weighted * inverse), Float(total))
                }
            }
        }
    }

    static func inputGradient(_ input: Tensor, _ moments: Tensor, _ scale: Tensor, _ gradient: Tensor, _ affine: Tensor,
                              epsilon: Float, threads: Int) -> [Float] {
        let (c, n, plane) = BatchNormalization.geometry(input.shape)
        let m = moments.values, gamma = scale.values, sums = affine.values
        let count = Float(n * plane)
        return input.values.withUnsafeBufferPointer { x in
            gradient.values.withUnsafeBufferPointer { g in
                [Float](unsafeUninitializedCapacity: x.count) { result, initialized in
                    let out = result.baseAddress!
                    Parallel.forEach(c, threads: threads) { channel in
                        // ∂x = k·g − k·Σg/m − k·σ⁻¹·Σ(g·x̂)/m · (x − mean), k = γ/σ: one multiply-add per term.
                        let inverse = 1 / (m[c + channel] + epsilon).squareRoot()
                        let k = gamma[channel] * inverse
                        let b = -k * inverse * sums[channel] / count
                        let constant = -k * sums[c + channel] / count - b * m[channel]
                        for image in 0..<n {
                            let offset = (image * c + channel) * plane
                            let gp = g.baseAddress! + offset, xp = x.baseAddress! + offset, target = out + offset
                            for i in 0..<plane { target[i] = k * gp[i] + b * xp[i] + constant }
                        }
                    }
                    initialized = x.count
                }
            }
        }
    }

    /// A `[2, c]` result whose column `channel` is `body(channel)`.
    private static func perChannel(_ c: Int, pairs: Int, threads: Int, _ body: (Int) -> (Float, Float)) -> [Float] {
        [Float](unsafeUninitializedCapacity: 2 * c) { result, initialized in
            let out = result.baseAddress!
            Parallel.forEach(c, threads: threads) { channel in
                let (first, second) = body(channel)
                out[channel] = first
                out[c + channel] = second
            }
            initialized = 2 * c
        }
    }
}

/// Sums over contiguous floats, sixteen lanes at a time.
enum SIMDSum {
    typealias Lanes = SIMD16<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Lanes { UnsafeRawPointer(p).loadUnaligned(as: Lanes.self) }

    static func sum(_ p: UnsafePointer<Float>, _ count: Int) -> Float {
        var lanes = Lanes(), i = 0
        while i + 16 <= count { lanes += load(p + i); i += 16 }
        var total = lanes.sum()
        while i < count { total += p[i]; i += 1 }
        return total
    }

    /// Σ (x − centre)².
    static func squaredDeviations(_ p: UnsafePointer<Float>, _ count: Int, from centre: Float) -> Float {
        var lanes = Lanes(), i = 0
        let c = Lanes(repeating: centre)
        while i + 16 <= count { let d = load(p + i) - c; lanes += d * d; i += 16 }
        var total = lanes.sum()
        while i < count { let d = p[i] - centre; total += d * d; i += 1 }
        return total
    }

    /// Σ g and Σ g · (x − centre).
    static func sumAndWeighted(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ count: Int, centre: Float) -> (sum: Float, weighted: Float) {
        var sums = Lanes(), weighted = Lanes(), i = 0
        let c = Lanes(repeating: centre)
        while i + 16 <= count {
            let gl = load(g + i)
            sums += gl
            weighted += gl * (load(x + i) - c)
            i += 16
        }
        var (s, w) = (sums.sum(), weighted.sum())
        while i < count { s += g[i]; w += g[i] * (x[i] - centre); i += 1 }
        return (s, w)
    }
}
