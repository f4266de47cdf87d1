import Compute
import Foundation

/// Every op as plain loops, accumulating in Double: slow and obviously right. It is the definition the
/// fast CPU kernels and the Vulkan backend are tested against.
public struct ReferenceBackend: Backend {
    public let name = "reference"

    public init() {}

    public func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float] {
        let x = inputs.first?.values ?? []
        switch op {
        case .negate: return x.map { -$0 }
        case .exp: return x.map { Foundation.exp($0) }
        case .log: return x.map { Foundation.log($0) }
        case .sqrt: return x.map { $0.squareRoot() }
        case .relu: return x.map { Swift.max($0, 0) }
        case .relu6: return x.map { Swift.min(Swift.max($0, 0), 6) }
        case .positive: return x.map { $0 > 0 ? 1 : 0 }
        case .add: return binary(inputs, output, +)
        case .subtract: return binary(inputs, output, -)
        case .multiply: return binary(inputs, output, *)
        case .divide: return binary(inputs, output, /)
        case .equal: return binary(inputs, output) { $0 == $1 ? 1 : 0 }
        case .sum: return reduce(inputs[0], output, initial: 0) { $0 + $1 }
        case .max: return reduce(inputs[0], output, initial: -.infinity) { Swift.max($0, $1) }
        case .reshape: return x
        case .transpose(let p): return transpose(inputs[0], p, output)
        case .expand: return broadcast(inputs[0], to: output)
        case .slice(let axis, let start, _): return slice(inputs[0], axis: axis < 0 ? axis + output.rank : axis, start: start, output)
        case .concat(let axis): return concat(inputs, axis: axis < 0 ? axis + output.rank : axis, output)
        case .matmul: return matmul(inputs[0], inputs[1])
        case .conv2d(let c): return Convolution.forward(inputs[0], inputs[1], c, output)
        case .conv2dInputGradient(let c, let shape): return Convolution.inputGradient(inputs[0], inputs[1], c, shape)
        case .conv2dWeightGradient(let c, let shape): return Convolution.weightGradient(inputs[0], inputs[1], c, shape)
        case .maxPool2d(let p): return Pooling.max(inputs[0], p, output)
        case .maxPool2dGradient(let p): return Pooling.maxGradient(inputs[0], inputs[1], p)
        case .avgPool2d(let p): return Pooling.average(inputs[0], p, output)
        case .avgPool2dGradient(let p, let shape): return Pooling.averageGradient(inputs[0], p, shape)
        case .reluGradient: return zip(x, inputs[1].values).map { $0 > 0 ? $1 : 0 }
        case .relu6Gradient: return zip(x, inputs[1].values).map { $0 > 0 && $0 < 6 ? $1 : 0 }
        case .channelMoments: return BatchNormalization.moments(inputs[0])
        case .batchNorm(let e): return BatchNormalization.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e)
        case .batchNormActivation(let e, let activation):
            return BatchNormalization.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e).map { activation($0) }
        case .batchNormAdd(let e, let activation):
            let sums = zip(BatchNormalization.forward(inputs[0], inputs[1], inputs[2], inputs[3], epsilon: e), inputs[4].values).map { $0 + $1 }
            return activation.map { a in sums.map { a($0) } } ?? sums
        case .batchNormAffineGradient(let e): return BatchNormalization.affineGradient(inputs[0], inputs[1], inputs[2], epsilon: e)
        case .batchNormInputGradient(let e):
            return BatchNormalization.inputGradient(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], epsilon: e)
        case .softmaxCrossEntropy(let e): return CrossEntropy.forward(inputs[0], inputs[1], smoothing: e)
        case .softmaxCrossEntropyGradient(let e): return CrossEntropy.gradient(inputs[0], inputs[1], inputs[2], smoothing: e)
        case .fusedElementwise(let program):
            let operands = inputs.map(\.values)
            var values = [Float](repeating: 0, count: program.valueCount)
            return (0..<output.count).map { i in
                for k in operands.indices { values[k] = operands[k][operands[k].count == 1 ? 0 : i] }
                return program.run(&values)
            }
        }
    }

    // MARK: - Index arithmetic

    /// The element of `tensor` that output coordinates map to under broadcasting.
    static func broadcastIndex(_ coordinates: [Int], _ shape: Shape) -> Int {
        let offset = coordinates.count - shape.rank
        let strides = shape.strides
        var index = 0
        for i in 0..<shape.rank where shape[i] != 1 { index += coordinates[i + offset] * strides[i] }
        return index
    }

    static func coordinates(_ index: Int, _ shape: Shape) -> [Int] {
        var rest = index
        var result = Array(repeating: 0, count: shape.rank)
        for i in stride(from: shape.rank - 1, through: 0, by: -1) {
            result[i] = rest % shape[i]
            rest /= shape[i]
        }
        return result
    }

    private func binary(_ inputs: [Tensor], _ output: Shape, _ f: (Float, Float) -> Float) -> [Float] {
        let (a, b) = (inputs[0].values, inputs[1].values)
        return (0..<output.count).map { i in
            let c = Self.coordinates(i, output)
            return f(a[Self.broadcastIndex(c, inputs[0].shape)], b[Self.broadcastIndex(c, inputs[1].shape)])
        }
    }

    private func broadcast(_ input: Tensor, to output: Shape) -> [Float] {
        let x = input.values
        return (0..<output.count).map { x[Self.broadcastIndex(Self.coordinates($0, output), input.shape)] }
    }

    private func reduce(_ input: Tensor, _ output: Shape, initial: Double, _ f: (Double, Double) -> Double) -> [Float] {
        var result = Array(repeating: initial, count: output.count)
        let x = input.values
        for i in 0..<input.shape.count {
            let o = Self.broadcastIndex(Self.coordinates(i, input.shape), output)
            result[o] = f(result[o], Double(x[i]))
        }
        return result.map { Float($0) }
    }

    private func transpose(_ input: Tensor, _ p: [Int], _ output: Shape) -> [Float] {
        let x = input.values, strides = input.shape.strides
        return (0..<output.count).map { i in
            let c = Self.coordinates(i, output)
            var index = 0
            for (k, axis) in p.enumerated() { index += c[k] * strides[axis] }
            return x[index]
        }
    }

    private func slice(_ input: Tensor, axis: Int, start: Int, _ output: Shape) -> [Float] {
        let x = input.values, strides = input.shape.strides
        return (0..<output.count).map { i in
            var c = Self.coordinates(i, output)
            c[axis] += start
            return x[zip(c, strides).map(*).reduce(0, +)]
        }
    }

    private func concat(_ inputs: [Tensor], axis: Int, _ output: Shape) -> [Float] {
        (0..<output.count).map { i in
            var c = Self.coordinates(i, output)
            for input in inputs {
                if c[axis] < input.shape[axis] { return input.values[zip(c, input.shape.strides).map(*).reduce(0, +)] }
                c[axis] -= input.shape[axis]
            }
            preconditionFailure("concat: coordinate out of range")
        }
    }

    private func matmul(_ a: Tensor, _ b: Tensor) -> [Float] {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        let (x, y) = (a.values, b.values)
        var result = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = 0.0
                for p in 0..<k { sum += Double(x[i * k + p]) * Double(y[p * n + j]) }
                result[i * n + j] = Float(sum)
            }
        }
        return result
    }
}
