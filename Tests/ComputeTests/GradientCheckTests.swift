import Compute
import ComputeCPU
import Testing

/// Distinct values spread over [low, high] in a seeded order: no ties (max, max-pool) and, with
/// low > 0 or a gap around 0, no kinks (ReLU) within a finite-difference step.
func distinct(_ shape: Shape, seed: UInt64, low: Float = -1, high: Float = 1, avoidingZero: Bool = false) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let n = shape.count
    var values = (0..<n).map { low + (high - low) * (Float($0) + 0.5) / Float(n) }
    if avoidingZero { values = values.map { $0 >= 0 ? $0 + 0.2 : $0 - 0.2 } }
    values.shuffle(using: &rng)
    return Tensor(values, shape: shape)
}

struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// One op (or composition) to check: its parameters and the function of them.
struct GradientCase: CustomTestStringConvertible, @unchecked Sendable {
    var name: String
    var parameters: [String: Tensor]
    var f: ([String: Tensor]) throws -> Tensor
    var testDescription: String { name }
}

let labels = Tensor([2, 0, 1], shape: [3])

let gradientCases: [GradientCase] = [
    .init(name: "add, broadcast", parameters: ["a": distinct([2, 3], seed: 1), "b": distinct([3], seed: 2)]) { try $0["a"]! + $0["b"]! },
    .init(name: "subtract, broadcast both", parameters: ["a": distinct([2, 1], seed: 3), "b": distinct([1, 3], seed: 4)]) { try $0["a"]! - $0["b"]! },
    .init(name: "multiply, broadcast", parameters: ["a": distinct([2, 3], seed: 5), "b": distinct([2, 1], seed: 6)]) { try $0["a"]! * $0["b"]! },
    .init(name: "divide", parameters: ["a": distinct([2, 3], seed: 7), "b": distinct([3], seed: 8, low: 0.5, high: 2)]) { try $0["a"]! / $0["b"]! },
    .init(name: "negate", parameters: ["a": distinct([4], seed: 9)]) { try -$0["a"]! },
    .init(name: "exp", parameters: ["a": distinct([2, 3], seed: 10)]) { try $0["a"]!.exp() },
    .init(name: "log", parameters: ["a": distinct([2, 3], seed: 11, low: 0.5, high: 3)]) { try $0["a"]!.log() },
    .init(name: "sqrt", parameters: ["a": distinct([2, 3], seed: 12, low: 0.5, high: 3)]) { try $0["a"]!.sqrt() },
    .init(name: "relu", parameters: ["a": distinct([3, 4], seed: 13, avoidingZero: true)]) { try $0["a"]!.relu() },
    .init(name: "relu6 (values clear of 0 and 6)", parameters: ["a": distinct([3, 4], seed: 66, low: -1.9, high: 7.9)]) { try $0["a"]!.relu6() },
    .init(name: "sum over an axis", parameters: ["a": distinct([2, 3, 4], seed: 14)]) { try $0["a"]!.sum(axes: [1]) },
    .init(name: "mean over all", parameters: ["a": distinct([2, 3], seed: 15)]) { try $0["a"]!.mean() },
    .init(name: "max over axes", parameters: ["a": distinct([2, 3, 4], seed: 16)]) { try $0["a"]!.max(axes: [0, 2]) },
    .init(name: "reshape", parameters: ["a": distinct([2, 6], seed: 17)]) { try $0["a"]!.reshaped([3, 4]) },
    .init(name: "transpose", parameters: ["a": distinct([2, 3, 4], seed: 18)]) { try $0["a"]!.transposed([2, 0, 1]) },
    .init(name: "expand", parameters: ["a": distinct([3, 1], seed: 19)]) { try $0["a"]!.expanded(to: [2, 3, 4]) },
    .init(name: "slice along channels", parameters: ["a": distinct([2, 5, 2], seed: 20)]) { try $0["a"]!.sliced(axis: 1, start: 1, count: 3) },
    .init(name: "concatenate along channels", parameters: ["a": distinct([2, 2, 3], seed: 21), "b": distinct([2, 1, 3], seed: 22)]) {
        try Tensor.concatenate([$0["a"]!, $0["b"]!], axis: 1)
    },
    .init(name: "matmul", parameters: ["a": distinct([3, 4], seed: 23), "b": distinct([4, 2], seed: 24)]) { try $0["a"]!.matmul($0["b"]!) },
    .init(name: "conv2d 3×3, padding 1", parameters: ["x": distinct([2, 3, 5, 5], seed: 25), "w": distinct([4, 3, 3, 3], seed: 26)]) {
        try $0["x"]!.conv2d($0["w"]!, padding: 1)
    },
    .init(name: "conv2d stride 2, groups 2", parameters: ["x": distinct([1, 4, 6, 6], seed: 27), "w": distinct([6, 2, 3, 3], seed: 28)]) {
        try $0["x"]!.conv2d($0["w"]!, stride: 2, groups: 2)
    },
    .init(name: "depthwise conv2d", parameters: ["x": distinct([1, 3, 5, 5], seed: 29), "w": distinct([3, 1, 3, 3], seed: 30)]) {
        try $0["x"]!.conv2d($0["w"]!, padding: 1, groups: 3)
    },
    .init(name: "depthwise conv2d 5×5, stride 2, padding 2 (MNASNet)", parameters: ["x": distinct([1, 2, 7, 7], seed: 61), "w": distinct([2, 1, 5, 5], seed: 62)]) {
        try $0["x"]!.conv2d($0["w"]!, stride: 2, padding: 2, groups: 2)
    },
    .init(name: "grouped conv2d, 2 channels a group (ResNeXt)", parameters: ["x": distinct([1, 6, 4, 4], seed: 63), "w": distinct([6, 2, 3, 3], seed: 64)]) {
        try $0["x"]!.conv2d($0["w"]!, padding: 1, groups: 3)
    },
    .init(name: "channel shuffle (reshape, transpose, reshape)", parameters: ["x": distinct([2, 4, 2, 3], seed: 65)]) {
        try $0["x"]!.reshaped([2, 2, 2, 6]).transposed([0, 2, 1, 3]).reshaped([2, 4, 2, 3]) * $0["x"]!
    },
    .init(name: "1×1 conv2d, stride 2 (option-B shortcut)", parameters: ["x": distinct([2, 2, 4, 4], seed: 31), "w": distinct([3, 2, 1, 1], seed: 32)]) {
        try $0["x"]!.conv2d($0["w"]!, stride: 2)
    },
    .init(name: "max pool 2×2", parameters: ["x": distinct([2, 2, 4, 4], seed: 33)]) { try $0["x"]!.maxPool2d(kernel: 2) },
    .init(name: "max pool 3×3, stride 2, padding 1", parameters: ["x": distinct([1, 2, 5, 5], seed: 34)]) {
        try $0["x"]!.maxPool2d(kernel: 3, stride: 2, padding: 1)
    },
    .init(name: "average pool with padding", parameters: ["x": distinct([1, 2, 5, 5], seed: 35)]) {
        try $0["x"]!.avgPool2d(kernel: 3, stride: 2, padding: 1)
    },
    .init(name: "global average pool", parameters: ["x": distinct([2, 3, 4, 4], seed: 36)]) { try $0["x"]!.globalAvgPool2d() },
    .init(name: "softmax", parameters: ["x": distinct([3, 4], seed: 37)]) { try $0["x"]!.softmax() },
    .init(name: "cross-entropy", parameters: ["x": distinct([3, 4], seed: 38, low: -3, high: 3)]) { try $0["x"]!.crossEntropy(labels: labels) },
    .init(name: "cross-entropy, label smoothing 0.1", parameters: ["x": distinct([3, 4], seed: 39)]) {
        try $0["x"]!.crossEntropy(labels: labels, labelSmoothing: 0.1)
    },
    .init(name: "batch norm, training statistics", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 40), "scale": distinct([3], seed: 41, low: 0.5, high: 1.5), "shift": distinct([3], seed: 42),
    ]) { try $0["x"]!.batchNorm(scale: $0["scale"]!, shift: $0["shift"]!).output },
    .init(name: "batch norm and relu in one op, training statistics", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 52), "scale": distinct([3], seed: 53, low: 0.5, high: 1.5), "shift": distinct([3], seed: 54),
    ]) { try $0["x"]!.batchNorm(scale: $0["scale"]!, shift: $0["shift"]!, activation: .relu).output },
    .init(name: "batch norm and relu6 in one op, training statistics", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 55), "scale": distinct([3], seed: 56, low: 2, high: 5), "shift": distinct([3], seed: 57, low: 1, high: 3),
    ]) { try $0["x"]!.batchNorm(scale: $0["scale"]!, shift: $0["shift"]!, activation: .relu6).output },
    .init(name: "batch norm, a residual added and relu in one op", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 61), "scale": distinct([3], seed: 62, low: 0.5, high: 1.5), "shift": distinct([3], seed: 63),
        "residual": distinct([2, 3, 2, 2], seed: 64),
    ]) { try $0["x"]!.batchNorm(scale: $0["scale"]!, shift: $0["shift"]!, adding: $0["residual"]!, activation: .relu).output },
    .init(name: "batch norm and a residual added, no activation", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 65), "scale": distinct([3], seed: 66, low: 0.5, high: 1.5), "shift": distinct([3], seed: 67),
        "residual": distinct([2, 3, 2, 2], seed: 68),
    ]) { try $0["x"]!.batchNorm(scale: $0["scale"]!, shift: $0["shift"]!, adding: $0["residual"]!).output },
    .init(name: "batch norm and relu6, inference statistics", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 58), "scale": distinct([3], seed: 59, low: 2, high: 5), "shift": distinct([3], seed: 60, low: 1, high: 3),
    ]) { p in
        try p["x"]!.batchNorm(scale: p["scale"]!, shift: p["shift"]!, mean: Tensor([0.1, -0.2, 0.3], shape: [3]),
                              variance: Tensor([0.5, 1, 2], shape: [3]), activation: .relu6)
    },
    .init(name: "channel moments (mean and variance)", parameters: ["x": distinct([2, 3, 2, 2], seed: 48)]) { try $0["x"]!.channelMoments() },
    .init(name: "batch norm, inference statistics", parameters: [
        "x": distinct([2, 3, 2, 2], seed: 49), "scale": distinct([3], seed: 50, low: 0.5, high: 1.5), "shift": distinct([3], seed: 51),
    ]) { p in
        try p["x"]!.batchNorm(scale: p["scale"]!, shift: p["shift"]!, mean: Tensor([0.1, -0.2, 0.3], shape: [3]),
                              variance: Tensor([0.5, 1, 2], shape: [3]))
    },
    .init(name: "a small network: conv, batch norm, relu, pool, linear, loss", parameters: [
        "x": distinct([2, 1, 4, 4], seed: 43), "w": distinct([2, 1, 3, 3], seed: 44), "scale": distinct([2], seed: 45, low: 0.5, high: 1.5),
        "shift": distinct([2], seed: 46), "fc": distinct([2, 3], seed: 47),
    ]) { p in
        let h = try p["x"]!.conv2d(p["w"]!, padding: 1).batchNorm(scale: p["scale"]!, shift: p["shift"]!).output.relu()
        return try h.globalAvgPool2d().matmul(p["fc"]!).crossEntropy(labels: Tensor([1, 2], shape: [2]))
    },
]

@Suite("Gradients against finite differences")
struct GradientCheckTests {
    @Test("every op's gradient, for every parameter", arguments: gradientCases)
    func check(_ c: GradientCase) throws {
        try Backends.with(ReferenceBackend()) { try checkOnReference(c) }
    }

    @Test("the CPU backend's gradients agree with the reference's", arguments: gradientCases)
    func fastGradients(_ c: GradientCase) throws {
        let loss: ([String: Tensor]) throws -> Tensor = { try c.f($0).sum() }
        let expected = try Backends.with(ReferenceBackend()) { try valueAndGradient(of: loss, at: c.parameters) }
        let got = try Backends.with(try CPUBackend(threads: 2)) { try valueAndGradient(of: loss, at: c.parameters) }
        #expect(abs(got.value.scalar - expected.value.scalar) <= 1e-4 + 1e-4 * abs(expected.value.scalar))
        for (name, gradient) in expected.gradients {
            for (i, (g, e)) in zip(got.gradients[name]!.values, gradient.values).enumerated() {
                #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(c.name): d/d\(name)[\(i)] is \(g), reference \(e)")
            }
        }
    }

    private func checkOnReference(_ c: GradientCase) throws {
        // Weight the output by fixed values so that no gradient is trivially uniform.
        let output = try c.f(c.parameters)
        let weights = distinct(output.shape, seed: 99, low: -1.5, high: 1.5)
        let loss: ([String: Tensor]) throws -> Tensor = { try (c.f($0) * weights).sum() }
        let (_, analytic) = try valueAndGradient(of: loss, at: c.parameters)

        let epsilon: Float = 1e-2
        for (name, parameter) in c.parameters.sorted(by: { $0.key < $1.key }) {
            var numeric = [Float]()
            for i in 0..<parameter.shape.count {
                func shiftedLoss(_ delta: Float) throws -> Double {
                    var values = parameter.values
                    values[i] += delta
                    var shifted = c.parameters
                    shifted[name] = Tensor(values, shape: parameter.shape)
                    return Double(try loss(shifted).scalar)
                }
                numeric.append(Float((try shiftedLoss(epsilon) - shiftedLoss(-epsilon)) / Double(2 * epsilon)))
            }
            let got = try #require(analytic[name]).values
            for (i, (a, n)) in zip(got, numeric).enumerated() {
                #expect(abs(a - n) <= 2e-2 + 2e-2 * abs(n), "\(c.name): d/d\(name)[\(i)] is \(a), finite differences give \(n)")
            }
        }
    }
}
