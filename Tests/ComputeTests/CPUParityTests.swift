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

let parityCases: [ParityCase] = [
    .init(name: "add, same shape", op: .add, inputs: [distinct([3, 4], seed: 1), distinct([3, 4], seed: 2)]),
    .init(name: "add, channel bias", op: .add, inputs: [distinct([2, 3, 4, 4], seed: 3), distinct([1, 3, 1, 1], seed: 4)]),
    .init(name: "multiply, broadcast both", op: .multiply, inputs: [distinct([2, 1, 5], seed: 5), distinct([3, 1], seed: 6)]),
    .init(name: "divide by a scalar", op: .divide, inputs: [distinct([7], seed: 7), Tensor(3)]),
    .init(name: "subtract a scalar from nothing", op: .subtract, inputs: [Tensor(2), distinct([2, 2], seed: 8)]),
    .init(name: "equal", op: .equal, inputs: [Tensor([1, 2, 3, 4], shape: [2, 2]), Tensor([1, 0], shape: [1, 2])]),
    .init(name: "exp", op: .exp, inputs: [distinct([10], seed: 9)]),
    .init(name: "relu", op: .relu, inputs: [distinct([3, 3], seed: 10)]),
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

    @Test("same inputs, same thread count: bit-identical results")
    func deterministic() throws {
        let backend = try CPUBackend(threads: 2)
        let c = parityCases.first { $0.name == "conv2d weight gradient" }!
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let first = try backend.run(c.op, c.inputs, output: shape)
        let second = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
    }
}
