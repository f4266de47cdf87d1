import Compute
@testable import ComputeCPU
import Testing

/// Some convolutions' input gradients run on the CPU's forward kernels (`InputGradientRoute`): they must
/// equal the reference for any kernel shape, stride and padding they are taken for, and be taken only
/// where they apply.
@Suite("Convolution input gradients on forward kernels")
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
        .init(name: "1×1, stride 2, even plane", conv: Conv2D(stride: 2), input: [2, 6, 16, 18], weight: [5, 6, 1, 1]),
        .init(name: "1×1, stride 2, odd plane", conv: Conv2D(stride: 2), input: [2, 3, 17, 15], weight: [4, 3, 1, 1]),
        .init(name: "1×1, stride 3", conv: Conv2D(stride: 3), input: [1, 4, 25, 26], weight: [2, 4, 1, 1]),
        .init(name: "3×3, an empty batch", conv: conv(padding: (1, 1)), input: [0, 3, 9, 8], weight: [7, 3, 3, 3]),
        .init(name: "1×1, stride 2, an empty batch", conv: Conv2D(stride: 2), input: [0, 6, 16, 18], weight: [5, 6, 1, 1]),
    ]

    @Test("equals the reference", arguments: cases)
    func parity(_ c: Case) throws {
        let outputShape = try Op.conv2d(c.conv).outputShape([c.input, c.weight])
        #expect(InputGradientRoute.of(c.conv, weight: c.weight, output: outputShape) != .backwardData, "\(c.name) should take a forward route")
        let op = Op.conv2dInputGradient(c.conv, inputShape: c.input)
        let inputs = [distinct(outputShape, seed: 300), distinct(c.weight, seed: 301)]
        let expected = try ReferenceBackend().run(op, inputs, output: c.input)
        let got = try Backends.with(try CPUBackend(threads: 2)) { try Tensor.apply(op, inputs).values }
        #expect(got.count == expected.count)
        for (i, (g, e)) in zip(got, expected).enumerated() {
            #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(c.name)[\(i)]: \(g), reference \(e)")
        }
    }

    @Test("each route is taken only where it applies")
    func routes() {
        let weight: Shape = [8, 6, 3, 3]
        #expect(InputGradientRoute.of(Self.conv(padding: (1, 1)), weight: weight, output: [2, 8, 8, 8])
                == .rotatedForward(conv: Self.conv(padding: (1, 1)), weight: [6, 8, 3, 3]))
        #expect(InputGradientRoute.of(Self.conv(padding: (0, 1)), weight: [6, 4, 5, 3], output: [2, 6, 12, 12])
                == .rotatedForward(conv: Self.conv(padding: (4, 1)), weight: [4, 6, 5, 3]))
        #expect(InputGradientRoute.of(Self.conv(padding: (1, 1)), weight: weight, output: [2, 8, 4, 4]) == .backwardData)
        #expect(InputGradientRoute.of(Conv2D(stride: 2, padding: 1), weight: weight, output: [2, 8, 16, 16]) == .backwardData)
        #expect(InputGradientRoute.of(Conv2D(padding: 1, groups: 2), weight: [8, 3, 3, 3], output: [2, 8, 16, 16]) == .backwardData)
        #expect(InputGradientRoute.of(Self.conv(padding: (3, 1)), weight: weight, output: [2, 8, 16, 16]) == .backwardData)
        #expect(InputGradientRoute.of(Conv2D(stride: 2), weight: [8, 6, 1, 1], output: [2, 8, 16, 16]) == .pointwiseScatter(weight: [6, 8, 1, 1]))
        #expect(InputGradientRoute.of(Conv2D(stride: 2, padding: 1), weight: [8, 6, 1, 1], output: [2, 8, 16, 16]) == .backwardData)
        #expect(InputGradientRoute.of(Conv2D(stride: 2), weight: [8, 6, 1, 1], output: [2, 8, 4, 4]) == .backwardData)
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
