import Compute
import ComputeCPU
import Testing

/// One primitive with inputs: the CPU backend must agree with the reference.
struct ParityCase: CustomTestStringConvertible, @unchecked Sendable {
    var name: String
    var op: Op
    var inputs: [Tensor]
    var testDescription: String { name }
}

let conv3 = Conv2D(stride: 1, padding: 1)
let convStrided = Conv2D(stride: 2, padding: 1, groups: 2)
let depthwise = Conv2D(stride: 1, padding: 1, groups: 4)

let pool2 = Pool2D(kernel: 2)
let pool3 = Pool2D(kernel: 3, stride: 2, padding: 1)
let bnInput = distinct([4, 3, 6, 6], seed: 31)
let bnMoments = Tensor(BatchNormFixture.moments(bnInput), shape: [2, 3])

/// Adam's parameter update (operands: the parameter, m, v), and an expression over every operand and constant a program may hold.
let adamUpdate = try! ElementwiseProgram(.operand(0) - .constant(0.001) * .operand(1) / (ElementwiseExpression.operand(2).squareRoot()
                                         / .constant(0.3) + .constant(1e-8)), operands: 3)
let widestProgram: ElementwiseProgram = {
    let x = (0..<6).map { ElementwiseExpression.operand($0) }
    let c = (1...8).map { ElementwiseExpression.constant(Float($0) / 4) }
    return try! ElementwiseProgram(((x[0] * c[0] + x[1] * c[1] - x[2] * c[2]) / (x[3] * x[3] * c[3] + c[4]).squareRoot()
                                   + x[4] * c[5] - x[5] / c[6] + c[7]) * x[0], operands: 6)
}()

let parityCases: [ParityCase] = [
    .init(name: "fused elementwise: Adam's update over several parallel chunks", op: .fusedElementwise(adamUpdate),
          inputs: [distinct([3, 70_000], seed: 97), distinct([3, 70_000], seed: 98), distinct([3, 70_000], seed: 99, low: 0, high: 1)]),
    .init(name: "fused elementwise: six operands, eight constants, sixteen steps over a rank-4 tensor", op: .fusedElementwise(widestProgram),
          inputs: (0..<6).map { distinct([5, 3, 3, 3], seed: 100 + $0) }),
    .init(name: "fused elementwise: one-element operands (rank 0 and rank 4) stand for every element, over several chunks",
          op: .fusedElementwise(widestProgram),
          inputs: [distinct([2, 3, 70, 90], seed: 106), distinct([], seed: 107), distinct([2, 3, 70, 90], seed: 108), distinct([1, 1, 1, 1], seed: 109),
                   distinct([2, 3, 70, 90], seed: 134), distinct([2, 3, 70, 90], seed: 135)]),
    .init(name: "multiply, large enough to run in parallel chunks", op: .multiply,
          inputs: [distinct([3, 70_000], seed: 32), distinct([3, 70_000], seed: 33)]),
    .init(name: "relu gradient", op: .reluGradient, inputs: [distinct([5, 7], seed: 34), distinct([5, 7], seed: 35)]),
    .init(name: "sum over the trailing axes (global pooling)", op: .sum(axes: [2, 3]), inputs: [distinct([4, 3, 5, 5], seed: 36)]),
    .init(name: "sum of everything", op: .sum(axes: [0, 1]), inputs: [distinct([300, 30], seed: 37)]),
    .init(name: "expand a per-channel value over planes", op: .expand([2, 3, 4, 4]), inputs: [distinct([2, 3, 1, 1], seed: 38)]),
    .init(name: "transpose", op: .transpose([2, 0, 1]), inputs: [distinct([3, 4, 5], seed: 39)]),
    .init(name: "slice channels", op: .slice(axis: 1, start: 2, count: 3), inputs: [distinct([2, 6, 3, 3], seed: 40)]),
    .init(name: "concatenate channels", op: .concat(axis: 1), inputs: [distinct([2, 2, 3, 3], seed: 41), distinct([2, 5, 3, 3], seed: 42)]),
    .init(name: "max pool 2×2", op: .maxPool2d(pool2), inputs: [distinct([2, 3, 8, 8], seed: 43)]),
    .init(name: "max pool 3×3, stride 2, padding 1", op: .maxPool2d(pool3), inputs: [distinct([2, 3, 7, 7], seed: 44)]),
    .init(name: "max pool gradient", op: .maxPool2dGradient(pool3), inputs: [distinct([2, 3, 7, 7], seed: 45), distinct([2, 3, 4, 4], seed: 46)]),
    .init(name: "average pool", op: .avgPool2d(pool3), inputs: [distinct([2, 3, 7, 7], seed: 47)]),
    .init(name: "average pool gradient", op: .avgPool2dGradient(pool3, inputShape: [2, 3, 7, 7]), inputs: [distinct([2, 3, 4, 4], seed: 48)]),
    .init(name: "channel moments", op: .channelMoments, inputs: [bnInput]),
    .init(name: "batch norm", op: .batchNorm(epsilon: 1e-5),
          inputs: [bnInput, bnMoments, distinct([3], seed: 49, low: 0.5, high: 2), distinct([3], seed: 50)]),
    .init(name: "batch norm and relu", op: .batchNormActivation(epsilon: 1e-5, .relu),
          inputs: [bnInput, bnMoments, distinct([3], seed: 49, low: 0.5, high: 2), distinct([3], seed: 50)]),
    .init(name: "batch norm and relu6", op: .batchNormActivation(epsilon: 1e-5, .relu6),
          inputs: [bnInput, bnMoments, distinct([3], seed: 49, low: 2, high: 8), distinct([3], seed: 50, low: 0, high: 4)]),
    .init(name: "batch norm, a residual added, relu", op: .batchNormAdd(epsilon: 1e-5, .relu),
          inputs: [bnInput, bnMoments, distinct([3], seed: 49, low: 0.5, high: 2), distinct([3], seed: 50), distinct([4, 3, 6, 6], seed: 55)]),
    .init(name: "batch norm, a residual added", op: .batchNormAdd(epsilon: 1e-5, nil),
          inputs: [bnInput, bnMoments, distinct([3], seed: 49, low: 0.5, high: 2), distinct([3], seed: 50), distinct([4, 3, 6, 6], seed: 56)]),
    .init(name: "batch norm, affine gradient", op: .batchNormAffineGradient(epsilon: 1e-5),
          inputs: [bnInput, bnMoments, distinct([4, 3, 6, 6], seed: 51)]),
    .init(name: "batch norm, input gradient", op: .batchNormInputGradient(epsilon: 1e-5),
          inputs: [bnInput, bnMoments, distinct([3], seed: 52, low: 0.5, high: 2), distinct([4, 3, 6, 6], seed: 53),
                   distinct([2, 3], seed: 54)]),

    .init(name: "add, same shape", op: .add, inputs: [distinct([3, 4], seed: 1), distinct([3, 4], seed: 2)]),
    .init(name: "add, channel bias", op: .add, inputs: [distinct([2, 3, 4, 4], seed: 3), distinct([1, 3, 1, 1], seed: 4)]),
    .init(name: "multiply, broadcast both", op: .multiply, inputs: [distinct([2, 1, 5], seed: 5), distinct([3, 1], seed: 6)]),
    .init(name: "divide by a scalar", op: .divide, inputs: [distinct([7], seed: 7), Tensor(3)]),
    .init(name: "subtract a scalar from nothing", op: .subtract, inputs: [Tensor(2), distinct([2, 2], seed: 8)]),
    .init(name: "equal", op: .equal, inputs: [Tensor([1, 2, 3, 4], shape: [2, 2]), Tensor([1, 0], shape: [1, 2])]),
    .init(name: "exp", op: .exp, inputs: [distinct([10], seed: 9)]),
    .init(name: "relu", op: .relu, inputs: [distinct([3, 3], seed: 10)]),
    .init(name: "relu6, on both sides of 0 and 6", op: .relu6, inputs: [distinct([4, 5], seed: 94, low: -2, high: 8)]),
    .init(name: "relu6 gradient", op: .relu6Gradient, inputs: [distinct([4, 5], seed: 95, low: -2, high: 8), distinct([4, 5], seed: 96)]),
    .init(name: "sum over N, H, W", op: .sum(axes: [0, 2, 3]), inputs: [distinct([4, 3, 5, 5], seed: 11)]),
    .init(name: "sum over the last axis", op: .sum(axes: [1]), inputs: [distinct([6, 7], seed: 12)]),
    .init(name: "max over the first axis", op: .max(axes: [0]), inputs: [distinct([5, 3], seed: 13)]),
    .init(name: "expand", op: .expand([2, 3, 4]), inputs: [distinct([3, 1], seed: 14)]),
    .init(name: "matmul", op: .matmul, inputs: [distinct([17, 33], seed: 15), distinct([33, 9], seed: 16)]),
    .init(name: "conv2d 3×3", op: .conv2d(conv3), inputs: [distinct([2, 3, 8, 8], seed: 17), distinct([5, 3, 3, 3], seed: 18)]),
    .init(name: "conv2d strided, grouped", op: .conv2d(convStrided), inputs: [distinct([2, 4, 9, 9], seed: 19), distinct([6, 2, 3, 3], seed: 20)]),
    .init(name: "conv2d depthwise", op: .conv2d(depthwise), inputs: [distinct([1, 4, 6, 6], seed: 21), distinct([4, 1, 3, 3], seed: 22)]),
    .init(name: "conv2d input gradient", op: .conv2dInputGradient(conv3, inputShape: [2, 3, 8, 8]),
          inputs: [distinct([2, 5, 8, 8], seed: 23), distinct([5, 3, 3, 3], seed: 24)]),
    .init(name: "conv2d input gradient, strided, grouped", op: .conv2dInputGradient(convStrided, inputShape: [2, 4, 9, 9]),
          inputs: [distinct([2, 6, 5, 5], seed: 25), distinct([6, 2, 3, 3], seed: 26)]),
    .init(name: "conv2d weight gradient", op: .conv2dWeightGradient(conv3, weightShape: [5, 3, 3, 3]),
          inputs: [distinct([2, 3, 8, 8], seed: 27), distinct([2, 5, 8, 8], seed: 28)]),
    .init(name: "conv2d weight gradient, depthwise", op: .conv2dWeightGradient(depthwise, weightShape: [4, 1, 3, 3]),
          inputs: [distinct([1, 4, 6, 6], seed: 29), distinct([1, 4, 6, 6], seed: 30)]),
]

@Suite("The CPU backend agrees with the reference")
struct CPUParityTests {
    @Test("every fast kernel, within float rounding", arguments: parityCases)
    func parity(_ c: ParityCase) throws {
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let expected = try ReferenceBackend().run(c.op, c.inputs, output: shape)
        let got = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(c.name)[\(i)]: \(g), reference \(e)")
        }
    }

    @Test("a network's loss and gradients, twice on two threads: bit-identical")
    func deterministicNetwork() throws {
        let x = distinct([16, 3, 12, 12], seed: 60), w = distinct([8, 3, 3, 3], seed: 61)
        let parameters = ["w": w, "scale": Tensor.ones([8]), "shift": Tensor.zeros([8]), "fc": distinct([8, 10], seed: 62)]
        let labels = Tensor((0..<16).map { Float($0 % 10) }, shape: [16])
        func run() throws -> [UInt32] {
            let (loss, gradients) = try Backends.with(try CPUBackend(threads: 2)) {
                try valueAndGradient(of: { p in
                    let h = try x.conv2d(p["w"]!, padding: 1).batchNorm(scale: p["scale"]!, shift: p["shift"]!).output.relu()
                    return try h.maxPool2d(kernel: 2).globalAvgPool2d().matmul(p["fc"]!).crossEntropy(labels: labels)
                }, at: parameters)
            }
            return [loss.scalar.bitPattern] + gradients.keys.sorted().flatMap { gradients[$0]!.values.map(\.bitPattern) }
        }
        #expect(try run() == run())
    }

    @Test("same inputs, same thread count: bit-identical results, op by op")
    func deterministic() throws {
        for c in parityCases {
            let shape = try c.op.outputShape(c.inputs.map(\.shape))
            let first = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
            let second = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
            #expect(first.map(\.bitPattern) == second.map(\.bitPattern), "\(c.name)")
        }
    }
}

/// The channel moments a batch-norm case needs as an input, computed the obvious way.
enum BatchNormFixture {
    static func moments(_ x: Tensor) -> [Float] {
        let (n, c, plane) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var result = [Float](repeating: 0, count: 2 * c)
        for channel in 0..<c {
            var values: [Double] = []
            for image in 0..<n {
                let start = (image * c + channel) * plane
                values += x.values[start..<(start + plane)].map { Double($0) }
            }
            let mean: Double = values.reduce(0, +) / Double(values.count)
            let squares: Double = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
            result[channel] = Float(mean)
            result[c + channel] = Float(squares / Double(values.count))
        }
        return result
    }
}
