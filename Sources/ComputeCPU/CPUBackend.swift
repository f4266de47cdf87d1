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
    let convolution: DNNLConvolution

    /// - Parameter threads: oneDNN's thread count; default: every core.
    public init(threads: Int? = nil) throws(ComputeError) {
        _ = try OneDNN.library.get()
        self.threads = threads ?? ProcessInfo.processInfo.activeProcessorCount
        Self.keepFreedMemory()
        Loops.threads = self.threads
        convolution = try DNNLConvolution(threads: self.threads)
    }

    public func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float] {
        switch op {
        case .negate: return Loops.unary(inputs[0], Kernels.Negate.self)
        case .exp: return Loops.unary(inputs[0], Kernels.Exp.self)
        case .log: return Loops.unary(inputs[0], Kernels.Log.self)
        case .sqrt: return Loops.unary(inputs[0], Kernels.SquareRoot.self)
        case .relu: return Loops.unary(inputs[0], Kernels.ReLU.self)
        case .relu6: return Loops.unary(inputs[0], Kernels.ReLU6.self)
        case .positive: return Loops.unary(inputs[0], Kernels.Positive.self)
        case .reluGradient: return Loops.binary(inputs[0], inputs[1], output, Kernels.ReLUGradient.self)
        case .relu6Gradient: return Loops.binary(inputs[0], inputs[1], output, Kernels.ReLU6Gradient.self)
        case .channelMoments: return FastBatchNorm.moments(inputs[0], threads: threads)
        case .batchNorm(let e): return FastBatchNorm.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e, threads: threads)
        case .batchNormActivation(let e, let activation):
            return FastBatchNorm.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e, threads: threads, activation: activation)
        case .batchNormAdd(let e, let activation):
            // NCHW operands (a channels-last x takes the fused kernel in compute): normalise, then add and activate.
            var result = FastBatchNorm.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e, threads: threads)
            let residual = inputs[4].values
            for i in result.indices { result[i] += residual[i] }
            if let activation { for i in result.indices { result[i] = activation(result[i]) } }
            return result
        case .batchNormAffineGradient(let e):
            return FastBatchNorm.affineGradient(inputs[0], inputs[1], inputs[2], epsilon: e, threads: threads)
        case .batchNormInputGradient(let e):
            return FastBatchNorm.inputGradient(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], epsilon: e, threads: threads)
        case .add: return Loops.binary(inputs[0], inputs[1], output, Kernels.Add.self)
        case .subtract: return Loops.binary(inputs[0], inputs[1], output, Kernels.Subtract.self)
        case .multiply: return Loops.binary(inputs[0], inputs[1], output, Kernels.Multiply.self)
        case .divide: return Loops.binary(inputs[0], inputs[1], output, Kernels.Divide.self)
        case .equal: return Loops.binary(inputs[0], inputs[1], output, Kernels.Equal.self)
        case .fusedElementwise(let program): return FusedElementwise.run(program, inputs, count: output.count)
        case .sum:
            if let sums = Loops.sumContiguous(inputs[0], output) { return sums }
            return Loops.reduce(inputs[0], output, initial: 0) { $0 + Double($1) }
        case .max: return Loops.reduce(inputs[0], output, initial: -.infinity) { Swift.max($0, Double($1)) }
        case .reshape: return inputs[0].values
        case .expand:
            if let repeated = Loops.expandTrailing(inputs[0], output) { return repeated }
            return Loops.binary(inputs[0], Tensor(0), output, Kernels.First.self)
        case .matmul: return try matmul(inputs[0], inputs[1])
        case .transpose(let p): return FastMovement.transpose(inputs[0], p, output)
        case .slice(let axis, let start, _):
            return FastMovement.slice(inputs[0], axis: axis < 0 ? axis + output.rank : axis, start: start, output)
        case .concat(let axis): return FastMovement.concat(inputs, axis: axis < 0 ? axis + output.rank : axis, output)
        case .maxPool2d(let p): return FastPooling.max(inputs[0], p, output, threads: threads)
        case .maxPool2dGradient(let p): return FastPooling.maxGradient(inputs[0], inputs[1], p, threads: threads)
        case .avgPool2d(let p): return FastPooling.average(inputs[0], p, output, threads: threads)
        case .avgPool2dGradient(let p, let shape): return FastPooling.averageGradient(inputs[0], p, shape, threads: threads)
        case .conv2d, .conv2dInputGradient, .conv2dWeightGradient:
            return try compute(op, inputs, output: output).rowMajorValues()
        default:
            return try reference.run(op, inputs, output: output)
        }
    }

    /// Training frees and allocates the same large buffers every step. glibc would hand each one
    /// back to the kernel and fault it in again, zeroed, on the next step; keeping freed memory in the
    /// heap turns that into reuse. (Linux; elsewhere the system allocator already keeps it.)
    private static func keepFreedMemory() {
        #if os(Linux)
        // No block is mapped on its own: mmap's threshold stops at 32 MiB, and one activation of
        // ResNet-18 at batch 128 (128 × 64 × 32 × 32 floats) is 32 MiB and a header.
        _ = mallopt(M_MMAP_MAX, 0)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
        #endif
    }

    private func matmul(_ a: Tensor, _ b: Tensor) throws(ComputeError) -> [Float] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        var c = [Float](repeating: 0, count: m * n)
        let (x, y) = (a.values, b.values)
        let status = c.withUnsafeMutableBufferPointer { cp in
            OneDNN.api.dnnl_sgemm!(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k),
                       1, x, dnnl_dim_t(k), y, dnnl_dim_t(n), 0, cp.baseAddress, dnnl_dim_t(n))
        }
        try check(status, "multiplying matrices")
        return c
    }
}
