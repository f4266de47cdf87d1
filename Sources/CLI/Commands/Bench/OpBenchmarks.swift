import Compute
import Foundation

/// The ops that dominate training, at the shapes ResNet-20 and ResNet-18 use on CIFAR-10 batches,
/// each timed forward and backward through the public tensor API (what training runs).
struct OpBenchmark {
    /// `resnet20.conv16` and the like; the PyTorch harness uses the same names.
    var name: String
    /// Builds the inputs once; `forward` and `backward` then run on them.
    var forward: () throws -> Void
    var backward: () throws -> Void
    /// Whether `backward` runs the forward pass too (the command then subtracts it).
    var backwardRerunsForward = true

    /// The cases at batch `batch`.
    static func all(batch n: Int) throws -> [OpBenchmark] {
        var cases: [OpBenchmark] = []
        func conv(_ name: String, _ c: Int, _ o: Int, _ hw: Int, stride: Int, kernel: Int = 3) throws {
            let x = random([n, c, hw, hw]), w = random([o, c, kernel, kernel])
            let pad = kernel / 2
            let y = try x.conv2d(w, stride: stride, padding: pad)
            let g = random(y.shape)
            let spec = Conv2D(stride: stride, padding: pad)
            cases.append(OpBenchmark(
                name: name,
                forward: { _ = try x.conv2d(w, stride: stride, padding: pad) },
                backward: {
                    _ = try Tensor.apply(.conv2dInputGradient(spec, inputShape: x.shape), [g, w])
                    _ = try Tensor.apply(.conv2dWeightGradient(spec, weightShape: w.shape), [x, g])
                },
                backwardRerunsForward: false))
        }
        func batchNormReLU(_ name: String, _ c: Int, _ hw: Int) {
            let x = random([n, c, hw, hw]), scale = Tensor.ones([c]), shift = Tensor.zeros([c])
            cases.append(OpBenchmark(
                name: name,
                forward: { _ = try x.batchNorm(scale: scale, shift: shift).output.relu() },
                backward: {
                    _ = try valueAndGradient(of: { p in
                        try (p["x"]!.batchNorm(scale: p["scale"]!, shift: p["shift"]!).output.relu() * x).sum()
                    }, at: ["x": x, "scale": scale, "shift": shift])
                }))
        }
        try conv("resnet20.conv16", 16, 16, 32, stride: 1)
        try conv("resnet20.conv32", 32, 32, 16, stride: 1)
        try conv("resnet20.conv64", 64, 64, 8, stride: 1)
        try conv("resnet20.conv16to32.s2", 16, 32, 32, stride: 2)
        try conv("resnet20.conv32to64.s2", 32, 64, 16, stride: 2)
        batchNormReLU("resnet20.bn_relu16", 16, 32)
        try conv("resnet18.conv64", 64, 64, 32, stride: 1)
        try conv("resnet18.conv128", 128, 128, 16, stride: 1)
        try conv("resnet18.conv256", 256, 256, 8, stride: 1)
        try conv("resnet18.conv512", 512, 512, 4, stride: 1)
        try conv("resnet18.shortcut128.1x1.s2", 64, 128, 32, stride: 2, kernel: 1)
        batchNormReLU("resnet18.bn_relu64", 64, 32)
        let features = random([n, 512]), weight = random([512, 10]), labels = Tensor((0..<n).map { Float($0 % 10) }, shape: [n])
        cases.append(OpBenchmark(
            name: "resnet18.linear_ce",
            forward: { _ = try features.matmul(weight).crossEntropy(labels: labels) },
            backward: { _ = try valueAndGradient(of: { p in try p["f"]!.matmul(p["w"]!).crossEntropy(labels: labels) },
                                                 at: ["f": features, "w": weight]) }))
        let pooled = random([n, 64, 8, 8])
        cases.append(OpBenchmark(
            name: "resnet20.global_avg_pool",
            forward: { _ = try pooled.globalAvgPool2d() },
            backward: { _ = try valueAndGradient(of: { p in try p["x"]!.globalAvgPool2d().sum() }, at: ["x": pooled]) }))
        return cases
    }

    /// Uniform in [-1, 1), from a fixed seed so that every run times the same numbers.
    static func random(_ shape: Shape) -> Tensor {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(shape.count)
        let values = (0..<shape.count).map { _ -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        return Tensor(values, shape: shape)
    }
}
