import Compute
import ComputeCPU
import Testing

/// The CPU backend keeps convolutions' activations channels-last and computes the ops between
/// convolutions on them as they are: every such op must agree with the reference, and a network's
/// activations must stay channels-last from one layer to the next.
@Suite("Channels-last activations on the CPU")
struct ChannelsLastTests {
    /// The same values, held channels-last: a 1 × 1 convolution with the identity as its weight.
    static func held(_ x: Tensor) throws -> Tensor {
        let c = x.shape[1]
        let identity = Tensor((0..<(c * c)).map { $0 / c == $0 % c ? 1 : 0 }, shape: [c, c, 1, 1])
        let result = try Tensor.apply(.conv2d(Conv2D()), [x, identity])
        #expect(isHeld(result))
        return result
    }

    static func isHeld(_ x: Tensor) -> Bool { x.existingDeviceStorage(on: "cpu:channels-last") != nil }

    static let cases: [ParityCase] = {
        let x = distinct([3, 5, 6, 7], seed: 70), g = distinct([3, 5, 6, 7], seed: 71)
        let wide = distinct([2, 32, 9, 9], seed: 72)
        let moments = Tensor(BatchNormFixture.moments(x), shape: [2, 5])
        let scale = distinct([5], seed: 73, low: 0.5, high: 2), shift = distinct([5], seed: 74)
        return [
            .init(name: "relu", op: .relu, inputs: [x]),
            .init(name: "relu6", op: .relu6, inputs: [distinct([3, 5, 6, 7], seed: 75, low: -2, high: 8)]),
            .init(name: "exp", op: .exp, inputs: [x]),
            .init(name: "relu gradient", op: .reluGradient, inputs: [x, g]),
            .init(name: "add, both full", op: .add, inputs: [x, g]),
            .init(name: "add, per-channel bias", op: .add, inputs: [x, distinct([1, 5, 1, 1], seed: 76)]),
            .init(name: "multiply, per-channel scale first", op: .multiply, inputs: [distinct([5, 1, 1], seed: 77), x]),
            .init(name: "subtract, a row broadcast over channels", op: .subtract, inputs: [x, distinct([1, 1, 1, 7], seed: 78)]),
            .init(name: "multiply, a plane broadcast over channels", op: .multiply, inputs: [x, distinct([1, 1, 6, 7], seed: 79)]),
            .init(name: "divide by a scalar", op: .divide, inputs: [x, Tensor(3)]),
            .init(name: "sum over the plane (global pooling)", op: .sum(axes: [2, 3]), inputs: [x]),
            .init(name: "sum over N, H, W", op: .sum(axes: [0, 2, 3]), inputs: [x]),
            .init(name: "max over channels", op: .max(axes: [1]), inputs: [x]),
            .init(name: "concatenate channels", op: .concat(axis: 1), inputs: [x, distinct([3, 2, 6, 7], seed: 80)]),
            .init(name: "slice channels", op: .slice(axis: 1, start: 1, count: 3), inputs: [x]),
            .init(name: "max pool 3×3, stride 2, padding 1", op: .maxPool2d(pool3), inputs: [x]),
            .init(name: "max pool 1×1, stride 2 (a shortcut's subsampling)", op: .maxPool2d(Pool2D(kernel: 1, stride: 2)), inputs: [x]),
            .init(name: "max pool gradient, ties", op: .maxPool2dGradient(pool2),
                  inputs: [Tensor(x.values.map { ($0 * 4).rounded() }, shape: x.shape), distinct([3, 5, 3, 3], seed: 86)]),
            .init(name: "average pool", op: .avgPool2d(pool3), inputs: [x]),
            .init(name: "average pool gradient", op: .avgPool2dGradient(pool3, inputShape: [3, 5, 6, 7]), inputs: [distinct([3, 5, 3, 4], seed: 87)]),
            .init(name: "expand per image and channel over planes", op: .expand([3, 5, 6, 7]), inputs: [distinct([3, 5, 1, 1], seed: 88)]),
            .init(name: "expand per channel over images and planes", op: .expand([3, 5, 6, 7]), inputs: [distinct([1, 5, 1, 1], seed: 89)]),
            .init(name: "expand per image over channels and planes", op: .expand([3, 5, 6, 7]), inputs: [distinct([3, 1, 1, 1], seed: 97)]),
            .init(name: "channel moments", op: .channelMoments, inputs: [x]),
            .init(name: "channel moments, 32 channels", op: .channelMoments, inputs: [wide]),
            .init(name: "batch norm", op: .batchNorm(epsilon: 1e-5), inputs: [x, moments, scale, shift]),
            .init(name: "batch norm and relu", op: .batchNormActivation(epsilon: 1e-5, .relu), inputs: [x, moments, scale, shift]),
            .init(name: "batch norm and relu6", op: .batchNormActivation(epsilon: 1e-5, .relu6),
                  inputs: [x, moments, distinct([5], seed: 98, low: 2, high: 8), distinct([5], seed: 99, low: 0, high: 4)]),
            .init(name: "batch norm and relu, 32 channels (vector lanes)", op: .batchNormActivation(epsilon: 1e-5, .relu),
                  inputs: [wide, Tensor(BatchNormFixture.moments(wide), shape: [2, 32]), .ones([32]), distinct([32], seed: 100)]),
            .init(name: "batch norm, a residual added, relu6", op: .batchNormAdd(epsilon: 1e-5, .relu6),
                  inputs: [x, moments, distinct([5], seed: 101, low: 2, high: 8), distinct([5], seed: 102, low: 0, high: 4), g]),
            .init(name: "batch norm, a residual added, 32 channels", op: .batchNormAdd(epsilon: 1e-5, nil),
                  inputs: [wide, Tensor(BatchNormFixture.moments(wide), shape: [2, 32]), .ones([32]), distinct([32], seed: 103),
                           distinct([2, 32, 9, 9], seed: 104)]),
            .init(name: "batch norm, affine gradient", op: .batchNormAffineGradient(epsilon: 1e-5), inputs: [x, moments, g]),
            .init(name: "batch norm, input gradient", op: .batchNormInputGradient(epsilon: 1e-5),
                  inputs: [x, moments, scale, g, distinct([2, 5], seed: 81)]),
            .init(name: "conv2d", op: .conv2d(Conv2D(stride: 2, padding: 1)), inputs: [x, distinct([4, 5, 3, 3], seed: 82)]),
            .init(name: "conv2d input gradient", op: .conv2dInputGradient(Conv2D(padding: 1), inputShape: [3, 5, 6, 7]),
                  inputs: [distinct([3, 4, 6, 7], seed: 83), distinct([4, 5, 3, 3], seed: 84)]),
            .init(name: "conv2d weight gradient", op: .conv2dWeightGradient(Conv2D(padding: 1), weightShape: [4, 5, 3, 3]),
                  inputs: [x, distinct([3, 4, 6, 7], seed: 85)]),
        ]
    }()

    @Test("each op agrees with the reference, every combination of channels-last and NCHW operands", arguments: cases)
    func parity(_ c: ParityCase) throws {
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let expected = try ReferenceBackend().run(c.op, c.inputs, output: shape)
        let activations = c.inputs.indices.filter { c.inputs[$0].shape.rank == 4 && c.inputs[$0].shape[0] > 1 }
        for mask in 0..<(1 << activations.count) {
            let got = try Backends.with(try CPUBackend(threads: 2)) {
                var inputs = c.inputs
                for (bit, i) in activations.enumerated() where mask & (1 << bit) != 0 { inputs[i] = try Self.held(inputs[i]) }
                return try Tensor.apply(c.op, inputs).values
            }
            #expect(got.count == expected.count)
            for (i, (g, e)) in zip(got, expected).enumerated() {
                #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(c.name), held \(mask)[\(i)]: \(g), reference \(e)")
            }
        }
    }

    @Test("a residual block forward and back: activations stay channels-last, results equal the reference")
    func residualBlock() throws {
        let x = distinct([4, 8, 10, 10], seed: 90)
        let parameters = ["w1": distinct([8, 8, 3, 3], seed: 91, low: -0.3, high: 0.3), "w2": distinct([8, 8, 3, 3], seed: 92, low: -0.3, high: 0.3),
                          "scale": distinct([8], seed: 93, low: 0.5, high: 1.5), "shift": distinct([8], seed: 94)]
        var kept: [Tensor] = []
        func block(_ p: [String: Tensor]) throws -> Tensor {
            let a = try x.conv2d(p["w1"]!, padding: 1).batchNorm(scale: p["scale"]!, shift: p["shift"]!).output.relu()
            let b = try a.conv2d(p["w2"]!, padding: 1).batchNorm(scale: p["scale"]!, shift: p["shift"]!).output
            let out = try (b + x).relu()
            kept = [a, b, out]
            return try out.globalAvgPool2d().sum(axes: [0, 1])
        }
        let (loss, gradients) = try Backends.with(try CPUBackend(threads: 2)) { try valueAndGradient(of: block, at: parameters) }
        // Nothing between the convolutions was converted back to NCHW.
        for tensor in kept { #expect(Self.isHeld(tensor) && tensor.pendingDeviceStorage != nil) }
        let (expectedLoss, expectedGradients) = try Backends.with(ReferenceBackend()) { try valueAndGradient(of: block, at: parameters) }
        #expect(abs(loss.scalar - expectedLoss.scalar) <= 1e-4 * max(1, abs(expectedLoss.scalar)))
        for (name, expected) in expectedGradients {
            for (g, e) in zip(gradients[name]!.values, expected.values) {
                #expect(abs(g - e) <= 1e-3 + 1e-3 * abs(e), "\(name): \(g), reference \(e)")
            }
        }
    }

    @Test("an empty batch goes through convolution, batch norm with ReLU, and pooling")
    func emptyBatch() throws {
        let x = Tensor([], shape: [0, 3, 4, 4])
        let y = try Backends.with(try CPUBackend(threads: 2)) {
            try x.conv2d(distinct([4, 3, 3, 3], seed: 105), padding: 1).batchNorm(scale: .ones([4]), shift: .zeros([4]), activation: .relu).output
                .maxPool2d(kernel: 2)
        }
        #expect(y.shape == [0, 4, 2, 2] && y.values.isEmpty)
    }

    @Test("a held tensor reads back as its NCHW values, whatever its shape", arguments: [[2, 3, 4, 5], [1, 17, 1, 1], [3, 1, 5, 5], [2, 33, 3, 19]] as [Shape])
    func roundTrip(_ shape: Shape) throws {
        let x = distinct(shape, seed: 95)
        let held = try Backends.with(try CPUBackend(threads: 2)) { try Self.held(x) }
        #expect(held.values == x.values)
    }
}
