import CDNNL
import Compute
import Foundation

/// The fast CPU backend: oneDNN for convolutions and matrix products, tight loops for elementwise
/// work and reductions. Ops without a fast kernel yet run the reference implementation.
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
        convolution = try DNNLConvolution(threads: self.threads)
    }

    public func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float] {
        switch op {
        case .negate: return inputs[0].values.map { -$0 }
        case .exp: return inputs[0].values.map { Foundation.exp($0) }
        case .log: return inputs[0].values.map { Foundation.log($0) }
        case .sqrt: return inputs[0].values.map { $0.squareRoot() }
        case .relu: return inputs[0].values.map { Swift.max($0, 0) }
        case .positive: return inputs[0].values.map { $0 > 0 ? 1 : 0 }
        case .add: return Loops.binary(inputs[0], inputs[1], output, +)
        case .subtract: return Loops.binary(inputs[0], inputs[1], output, -)
        case .multiply: return Loops.binary(inputs[0], inputs[1], output, *)
        case .divide: return Loops.binary(inputs[0], inputs[1], output, /)
        case .equal: return Loops.binary(inputs[0], inputs[1], output) { $0 == $1 ? 1 : 0 }
        case .sum: return Loops.reduce(inputs[0], output, initial: 0) { $0 + Double($1) }
        case .max: return Loops.reduce(inputs[0], output, initial: -.infinity) { Swift.max($0, Double($1)) }
        case .reshape: return inputs[0].values
        case .expand: return Loops.binary(inputs[0], Tensor(0), output) { a, _ in a }
        case .matmul: return try matmul(inputs[0], inputs[1])
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

    static func binary(_ a: Tensor, _ b: Tensor, _ output: Shape, _ f: (Float, Float) -> Float) -> [Float] {
        let (x, y) = (a.values, b.values)
        if a.shape == output && b.shape == output { return zip(x, y).map(f) }
        if b.shape.count == 1 && a.shape == output { let s = y[0]; return x.map { f($0, s) } }
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
