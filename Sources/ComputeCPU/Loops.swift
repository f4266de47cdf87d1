import Compute

/// Elementwise loops over broadcast operands and reductions, walking indices with an odometer
/// instead of building coordinate arrays.
enum Loops {
    /// Strides of `shape` seen from an output of rank `rank`: 0 along broadcast axes.
    static func broadcastStrides(_ shape: Shape, rank: Int) -> [Int] {
        let own = shape.strides
        let offset = rank - shape.rank
        return (0..<rank).map { i in i < offset || shape[i - offset] == 1 ? 0 : own[i - offset] }
    }

    /// Elements per parallel chunk: large enough that starting a thread is noise.
    static let chunk = 1 << 16

    /// `body(range)` over `0..<count` in chunks, on every thread when there are several chunks.
    @inline(__always)
    static func chunked(_ count: Int, _ body: (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        guard chunks > 1 else { body(0..<count); return }
        Parallel.forEach(chunks, threads: threads) { c in body((c * chunk)..<Swift.min(count, (c + 1) * chunk)) }
    }

    /// The thread count elementwise loops use (the backend's).
    nonisolated(unsafe) static var threads = 1

    static func unary<K: UnaryKernel>(_ a: Tensor, _ kernel: K.Type) -> [Float] {
        a.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: x.count) { r, n in
                let (source, target) = (x.baseAddress!, r.baseAddress!)
                chunked(x.count) { range in for i in range { target[i] = K.apply(source[i]) } }
                n = x.count
            }
        }
    }

    static func binary<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ output: Shape, _ kernel: K.Type) -> [Float] {
        if a.shape == output && b.shape == output {
            return a.values.withUnsafeBufferPointer { xp in
                b.values.withUnsafeBufferPointer { yp in
                    [Float](unsafeUninitializedCapacity: xp.count) { r, n in
                        let (x, y, target) = (xp.baseAddress!, yp.baseAddress!, r.baseAddress!)
                        chunked(xp.count) { range in for i in range { target[i] = K.apply(x[i], y[i]) } }
                        n = xp.count
                    }
                }
            }
        }
        if a.shape == output, let (outer, middle, inner) = middleSplit(b.shape, output) {
            return perSlice(a, b, outer, middle, inner, K.self, swapped: false)
        }
        if b.shape == output, let (outer, middle, inner) = middleSplit(a.shape, output) {
            return perSlice(b, a, outer, middle, inner, K.self, swapped: true)
        }
        let f: (Float, Float) -> Float = { K.apply($0, $1) }
        let (x, y) = (a.values, b.values)
        let rank = output.rank
        guard rank > 0 else { return [f(x[0], y[0])] }
        let sa = broadcastStrides(a.shape, rank: rank), sb = broadcastStrides(b.shape, rank: rank)
        var result = [Float](repeating: 0, count: output.count)
        var counter = Array(repeating: 0, count: rank)
        var (ia, ib) = (0, 0)
        let inner = output[rank - 1], (ia1, ib1) = (sa[rank - 1], sb[rank - 1])
        var o = 0
        result.withUnsafeMutableBufferPointer { r in
            while o < output.count {
                for j in 0..<inner { r[o + j] = f(x[ia + j * ia1], y[ib + j * ib1]) }
                o += inner
                // Advance the outer axes like an odometer.
                var axis = rank - 2
                while axis >= 0 {
                    counter[axis] += 1
                    ia += sa[axis]
                    ib += sb[axis]
                    if counter[axis] < output[axis] { break }
                    ia -= sa[axis] * output[axis]
                    ib -= sb[axis] * output[axis]
                    counter[axis] = 0
                    axis -= 1
                }
            }
        }
        return result
    }

    /// How `small` broadcasts to `large` when it varies along one run of axes only (a per-channel
    /// `[1, c, 1, 1]` over `[n, c, h, w]`, a scalar, a row): (outer, middle, inner) element counts.
    static func middleSplit(_ small: Shape, _ large: Shape) -> (Int, Int, Int)? {
        let offset = large.rank - small.rank
        guard offset >= 0 else { return nil }
        let dims = (0..<large.rank).map { $0 < offset ? 1 : small[$0 - offset] }
        let varying = (0..<large.rank).filter { dims[$0] != 1 }
        guard let first = varying.first, let last = varying.last else { return (1, 1, large.count) }
        for axis in first...last where dims[axis] != large[axis] { return nil }
        let outer = large.dims[..<first].reduce(1, *), inner = large.dims[(last + 1)...].reduce(1, *)
        return (outer, small.count, inner)
    }

    /// `K(full, small[m])` (or `K(small[m], full)` when swapped) over (outer, middle, inner) blocks.
    static func perSlice<K: BinaryKernel>(_ full: Tensor, _ small: Tensor, _ outer: Int, _ middle: Int, _ inner: Int,
                                          _ kernel: K.Type, swapped: Bool) -> [Float] {
        full.values.withUnsafeBufferPointer { xp in
            small.values.withUnsafeBufferPointer { yp in
                [Float](unsafeUninitializedCapacity: xp.count) { r, n in
                    let (x, y, target) = (xp.baseAddress!, yp.baseAddress!, r.baseAddress!)
                    let blocks = outer * middle
                    let pieces = Swift.min(blocks, Swift.max(1, xp.count / chunk))
                    if inner == 1 {
                        // A value per element of each row (a per-channel value over channels-last rows): row by row.
                        Parallel.forEach(pieces, threads: pieces > 1 ? threads : 1) { piece in
                            for row in (outer * piece / pieces)..<(outer * (piece + 1) / pieces) {
                                let start = row * middle
                                if swapped {
                                    for j in 0..<middle { target[start + j] = K.apply(y[j], x[start + j]) }
                                } else {
                                    for j in 0..<middle { target[start + j] = K.apply(x[start + j], y[j]) }
                                }
                            }
                        }
                        n = xp.count
                        return
                    }
                    Parallel.forEach(pieces, threads: pieces > 1 ? threads : 1) { piece in
                        let first = blocks * piece / pieces, last = blocks * (piece + 1) / pieces
                        var m = first % middle
                        for block in first..<last {
                            let v = y[m], start = block * inner
                            if swapped {
                                for i in start..<(start + inner) { target[i] = K.apply(v, x[i]) }
                            } else {
                                for i in start..<(start + inner) { target[i] = K.apply(x[i], v) }
                            }
                            m += 1
                            if m == middle { m = 0 }
                        }
                    }
                    n = xp.count
                }
            }
        }
    }

    /// How a reduction or broadcast between `small` (same rank, some axes of size 1) and `large` splits:
    /// the element counts of the leading axes where they agree and of the trailing axes where `small`
    /// is 1 — nil when the 1s are not all trailing.
    static func trailingSplit(_ small: Shape, _ large: Shape) -> (outer: Int, inner: Int)? {
        let offset = large.rank - small.rank
        guard offset >= 0 else { return nil }
        var boundary = large.rank
        while boundary > 0, (boundary - 1 < offset ? 1 : small[boundary - 1 - offset]) == 1 || large[boundary - 1] == 1 { boundary -= 1 }
        for axis in 0..<boundary where (axis < offset ? 1 : small[axis - offset]) != large[axis] { return nil }
        let outer = large.dims[..<boundary].reduce(1, *)
        return (outer, large.count / Swift.max(outer, 1))
    }

    /// Sums over trailing axes (global pooling, whole-tensor sums): contiguous runs, SIMD; nil otherwise.
    static func sumContiguous(_ input: Tensor, _ output: Shape) -> [Float]? {
        guard let (outer, inner) = trailingSplit(output, input.shape), inner > 0 else { return nil }
        return input.values.withUnsafeBufferPointer { x in
            (0..<outer).map { i in
                // Blocks of 4,096 summed in Float, the blocks in Double: accurate and vectorised.
                var total = 0.0, start = 0
                while start < inner {
                    let count = Swift.min(4096, inner - start)
                    total += Double(SIMDSum.sum(x.baseAddress! + i * inner + start, count))
                    start += count
                }
                return Float(total)
            }
        }
    }

    /// Broadcasts along trailing axes (a per-channel value over each plane) by repeating each element.
    static func expandTrailing(_ input: Tensor, _ output: Shape) -> [Float]? {
        guard let (outer, inner) = trailingSplit(input.shape, output) else { return nil }
        let x = input.values
        return [Float](unsafeUninitializedCapacity: output.count) { result, initialized in
            for i in 0..<outer { (result.baseAddress! + i * inner).initialize(repeating: x[i], count: inner) }
            initialized = output.count
        }
    }

    /// Reduces `input` onto `output` (same rank, reduced axes of size 1), accumulating in Double.
    static func reduce(_ input: Tensor, _ output: Shape, initial: Double, _ f: (Double, Float) -> Double) -> [Float] {
        let x = input.values, rank = input.shape.rank
        guard rank > 0 else { return [Float(f(initial, x[0]))] }
        let so = broadcastStrides(output, rank: rank)
        var accumulators = [Double](repeating: initial, count: output.count)
        var counter = Array(repeating: 0, count: rank)
        var io = 0, i = 0
        let inner = input.shape[rank - 1], step = so[rank - 1]
        while i < x.count {
            for j in 0..<inner { accumulators[io + j * step] = f(accumulators[io + j * step], x[i + j]) }
            i += inner
            var axis = rank - 2
            while axis >= 0 {
                counter[axis] += 1
                io += so[axis]
                if counter[axis] < input.shape[axis] { break }
                io -= so[axis] * input.shape[axis]
                counter[axis] = 0
                axis -= 1
            }
        }
        return accumulators.map { Float($0) }
    }
}
