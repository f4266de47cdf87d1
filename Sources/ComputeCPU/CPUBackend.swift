import CDNNL
import Compute
import Foundation

/// The fast CPU backend: oneDNN for convolutions and matrix products, tight loops for elementwise
/// work, reductions, pooling, movement and batch normalisation. The softmax cross-entropy (a few
/// thousand elements per step) runs the reference implementation.
/// Deterministic: the same inputs and thread count give bit-identical results.
public final class CPUBackend: Backend, @unchecked Sendable {
    public let name = "cpu"
    /// Threads oneDNN uses.
    public let threads: Int
    private let reference = ReferenceBackend()
    private let convolution: DNNLConvolution

    /// - Parameter threads: oneDNN's thread count; default: every core.
    public init(threads: Int? = nil) throws(ComputeError) {
        self.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        Self.keepFreedMemory()
        Loops.threads = self.threads
        convolution = try DNNLConvolution(threads: self.threads)
    }

    public func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float] {
        switch op {
        case .negate: return Loops.unary(inputs[0]) { -$0 }
        case .exp: return Loops.unary(inputs[0]) { Foundation.exp($0) }
        case .log: return Loops.unary(inputs[0]) { Foundation.log($0) }
        case .sqrt: return Loops.unary(inputs[0]) { $0.squareRoot() }
        case .relu: return Loops.unary(inputs[0]) { Swift.max($0, 0) }
        case .positive: return Loops.unary(inputs[0]) { $0 > 0 ? 1 : 0 }
        case .reluGradient: return Loops.binary(inputs[0], inputs[1], output) { $0 > 0 ? $1 : 0 }
        case .channelMoments: return FastBatchNorm.moments(inputs[0], threads: threads)
        case .batchNorm(let e): return FastBatchNorm.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e, threads: threads)
        case .batchNormAffineGradient(let e):
            return FastBatchNorm.affineGradient(inputs[0], inputs[1], inputs[2], epsilon: e, threads: threads)
        case .batchNormInputGradient(let e):
            return FastBatchNorm.inputGradient(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], epsilon: e, threads: threads)
        case .positive: return inputs[0].values.map { $0 > 0 ? 1 : 0 }
        case .add: return Loops.binary(inputs[0], inputs[1], output, +)
        case .subtract: return Loops.binary(inputs[0], inputs[1], output, -)
        case .multiply: return Loops.binary(inputs[0], inputs[1], output, *)
        case .divide: return Loops.binary(inputs[0], inputs[1], output, /)
        case .equal: return Loops.binary(inputs[0], inputs[1], output) { $0 == $1 ? 1 : 0 }
        case .sum:
            if let sums = Loops.sumContiguous(inputs[0], output) { return sums }
            return Loops.reduce(inputs[0], output, initial: 0) { $0 + Double($1) }
        case .max: return Loops.reduce(inputs[0], output, initial: -.infinity) { Swift.max($0, Double($1)) }
        case .reshape: return inputs[0].values
        case .expand:
            if let repeated = Loops.expandTrailing(inputs[0], output) { return repeated }
            return Loops.binary(inputs[0], Tensor(0), output) { a, _ in a }
        case .matmul: return try matmul(inputs[0], inputs[1])
        case .transpose(let p): return FastMovement.transpose(inputs[0], p, output)
        case .slice(let axis, let start, _):
            return FastMovement.slice(inputs[0], axis: axis < 0 ? axis + output.rank : axis, start: start, output)
        case .concat(let axis): return FastMovement.concat(inputs, axis: axis < 0 ? axis + output.rank : axis, output)
        case .maxPool2d(let p): return FastPooling.max(inputs[0], p, output, threads: threads)
        case .maxPool2dGradient(let p): return FastPooling.maxGradient(inputs[0], inputs[1], p, threads: threads)
        case .avgPool2d(let p): return FastPooling.average(inputs[0], p, output, threads: threads)
        case .avgPool2dGradient(let p, let shape): return FastPooling.averageGradient(inputs[0], p, shape, threads: threads)
        case .conv2d(let c):
            return try convolution.run(.forward, inputs[0], inputs[1], conv: c, input: inputs[0].shape,
                                       weight: inputs[1].shape, output: output, result: output)
        case .conv2dInputGradient(let c, let inputShape):
            return try convolution.run(.inputGradient, inputs[0], inputs[1], conv: c, input: inputShape,
                                       weight: inputs[1].shape, output: inputs[0].shape, result: inputShape)
        case .conv2dWeightGradient(let c, let weightShape):
            return try convolution.run(.weightGradient, inputs[0], inputs[1], conv: c, input: inputs[0].shape,
                                       weight: weightShape, output: inputs[1].shape, result: weightShape)
        default:
            return try reference.run(op, inputs, output: output)
        }
    }

    /// Training frees and allocates the same large buffers every step. glibc would hand each one
    /// back to the kernel and fault it in again, zeroed, on the next step; keeping freed memory in the
    /// heap turns that into reuse. (Linux; elsewhere the system allocator already keeps it.)
    private static func keepFreedMemory() {
        #if os(Linux)
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }

    private func matmul(_ a: Tensor, _ b: Tensor) throws(ComputeError) -> [Float] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var c = [Float](repeating: 0, count: m * n)
        let (x, y) = (a.values, b.values)
        let status = c.withUnsafeMutableBufferPointer { cp in
            dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k),
                       1, x, dnnl_dim_t(k), y, dnnl_dim_t(n), 0, cp.baseAddress, dnnl_dim_t(n))
        }
        try check(status, "multiplying matrices")
        return c
    }
}

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

    @inline(__always)
    static func unary(_ a: Tensor, _ f: (Float) -> Float) -> [Float] {
        a.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: x.count) { r, n in
                chunked(x.count) { range in for i in range { r[i] = f(x[i]) } }
                n = x.count
            }
        }
    }

    @inline(__always)
    static func binary(_ a: Tensor, _ b: Tensor, _ output: Shape, _ f: (Float, Float) -> Float) -> [Float] {
        let (x, y) = (a.values, b.values)
        if a.shape == output && b.shape == output {
            return x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in
                    [Float](unsafeUninitializedCapacity: xp.count) { r, n in
                        chunked(xp.count) { range in for i in range { r[i] = f(xp[i], yp[i]) } }
                        n = xp.count
                    }
                }
            }
        }
        if b.shape.count == 1 && a.shape == output { let s = y[0]; return unary(a) { f($0, s) } }
        if a.shape.count == 1 && b.shape == output { let s = x[0]; return unary(b) { f(s, $0) } }
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
