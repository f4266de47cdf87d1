import Compute
@testable import ComputeCPU
import Testing

/// A stride-1 convolution's input gradient runs on the CPU as a forward convolution of the output
/// gradient with the weights transposed and rotated half a turn: it must equal the reference for any
/// kernel shape and padding it is taken for, and be taken only where it applies.
@Suite("Convolution input gradient as a forward convolution")
struct ConvolutionInputGradientTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var conv: Conv2D
        var input: Shape
        var weight: Shape
        var testDescription: String { name }
    }

    static func conv(padding: (Int, Int)) -> Conv2D {
        var conv = Conv2D()
        conv.padding = padding
        return conv
    }

    static let cases: [Case] = [
        .init(name: "3×3, padding 1, more outputs than inputs", conv: conv(padding: (1, 1)), input: [2, 3, 9, 8], weight: [7, 3, 3, 3]),
        .init(name: "5×3, no padding", conv: conv(padding: (0, 0)), input: [2, 5, 12, 11], weight: [4, 5, 5, 3]),
        .init(name: "5×3, full padding (4, 2)", conv: conv(padding: (4, 2)), input: [1, 2, 6, 7], weight: [3, 2, 5, 3]),
        .init(name: "3×3, padding (2, 0)", conv: conv(padding: (2, 0)), input: [2, 4, 8, 10], weight: [6, 4, 3, 3]),
        .init(name: "1×1", conv: conv(padding: (0, 0)), input: [3, 6, 8, 9], weight: [5, 6, 1, 1]),
    ]

    @Test("equals the reference", arguments: cases)
    func parity(_ c: Case) throws {
        let outputShape = try Op.conv2d(c.conv).outputShape([c.input, c.weight])
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: c.conv, weight: c.weight, output: outputShape) != nil,
                "\(c.name) should take the forward path")
        let op = Op.conv2dInputGradient(c.conv, inputShape: c.input)
        let inputs = [distinct(outputShape, seed: 300), distinct(c.weight, seed: 301)]
        let expected = try ReferenceBackend().run(op, inputs, output: c.input)
        let got = try Backends.with(try CPUBackend(threads: 2)) { try Tensor.apply(op, inputs).values }
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(c.name)[\(i)]: \(g), reference \(e)")
        }
    }

    @Test("is taken only for stride 1, one group, padding under the kernel and planes of 8 × 8 or more")
    func applicability() {
        let weight: Shape = [8, 8, 3, 3]
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: Self.conv(padding: (1, 1)), weight: weight, output: [2, 8, 8, 8]) != nil)
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: Self.conv(padding: (1, 1)), weight: weight, output: [2, 8, 4, 4]) == nil)
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: Conv2D(stride: 2, padding: 1), weight: weight, output: [2, 8, 16, 16]) == nil)
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: Conv2D(padding: 1, groups: 2), weight: [8, 4, 3, 3], output: [2, 8, 16, 16]) == nil)
        #expect(DNNLConvolution.forwardEquivalent(ofInputGradient: Self.conv(padding: (3, 1)), weight: weight, output: [2, 8, 16, 16]) == nil)
        let transposed = DNNLConvolution.forwardEquivalent(ofInputGradient: Self.conv(padding: (0, 1)), weight: [6, 4, 5, 3], output: [2, 6, 12, 12])
        #expect(transposed?.weight == [4, 6, 5, 3])
        #expect(transposed.map { $0.conv.padding == (4, 1) } == true)
    }

    @Test("the rotated weights are the originals transposed and turned half a turn")
    func rotation() {
        let shape: Shape = [2, 3, 2, 3]
        let w = (0..<shape.count).map(Float.init)
        var rotated = [Float](repeating: -1, count: shape.count)
        w.withUnsafeBufferPointer { source in
            rotated.withUnsafeMutableBufferPointer { DNNLConvolution.transposeAndRotate(source, shape, into: $0.baseAddress!) }
        }
        for o in 0..<2 { for i in 0..<3 { for y in 0..<2 { for x in 0..<3 {
            #expect(rotated[((i * 2 + o) * 2 + (1 - y)) * 3 + (2 - x)] == w[((o * 3 + i) * 2 + y) * 3 + x])
        } } } }
    }
}
