import Compute
import ComputeCPU
import ComputeVulkan
import NN
import Randomness
import Testing

@Suite("torchvision's layers on the Vulkan backend", .enabled(if: VulkanTrainingDevice.available, "needs a Vulkan device (lavapipe: mesa-vulkan-drivers)"))
struct VulkanModelParityTests {
    /// One small network with every layer that torchvision's models brought: a grouped 3×3 convolution (ResNeXt), a
    /// bottleneck with a projection shortcut (ResNet-50), ReLU6 (MobileNetV2), a 5×5 depthwise convolution (MNASNet), a
    /// fire module (SqueezeNet), channel split and shuffle (ShuffleNet V2), a dense connection and transition (DenseNet),
    /// padded max-pooling, dropout and a classifier. Whole models take lavapipe minutes, mostly compiling pipelines.
    static let network = Sequential([
        Conv2d("stem", 3, 8, kernel: 3, padding: 1, bias: false), BatchNorm2d("stem.bn", 8), ReLU(),
        Residual(Sequential([
            Conv2d("bottleneck.conv1", 8, 8, kernel: 1, bias: false), BatchNorm2d("bottleneck.bn1", 8), ReLU(),
            Conv2d("bottleneck.conv2", 8, 8, kernel: 3, stride: 2, padding: 1, groups: 2, bias: false), BatchNorm2d("bottleneck.bn2", 8), ReLU(),
            Conv2d("bottleneck.conv3", 8, 16, kernel: 1, bias: false), BatchNorm2d("bottleneck.bn3", 16),
        ]), shortcut: Sequential([Conv2d("bottleneck.down", 8, 16, kernel: 1, stride: 2, bias: false), BatchNorm2d("bottleneck.down.bn", 16)])),
        Conv2d("depthwise", 16, 16, kernel: 5, padding: 2, groups: 16, bias: false), BatchNorm2d("depthwise.bn", 16), ReLU6(),
        Sequential([Conv2d("fire.squeeze", 16, 4, kernel: 1), ReLU(),
                    Concatenation([Sequential([Conv2d("fire.e1", 4, 6, kernel: 1), ReLU()]),
                                   Sequential([Conv2d("fire.e3", 4, 6, kernel: 3, padding: 1), ReLU()])])]),
        MaxPool2d(kernel: 3, stride: 2, padding: 1),
        ChannelSplit(Sequential([Conv2d("split.conv", 6, 6, kernel: 1, bias: false), BatchNorm2d("split.bn", 6), ReLU()])),
        ChannelShuffle(groups: 2),
        DenseConnection(Sequential([BatchNorm2d("dense.bn", 12), ReLU(), Conv2d("dense.conv", 12, 4, kernel: 3, padding: 1, bias: false)])),
        AvgPool2d(kernel: 2),
        GlobalAvgPool2d(), Dropout(0.5), Linear("fc", 16, 10),
    ])

    /// Loss, logits and every gradient of one step on a fixed batch of 3×8×8 images, on `backend`.
    static func step(on backend: any Backend, training: Bool) throws -> (loss: Float, logits: [Float], gradients: [String: [Float]]) {
        let model = Model(name: "layers", classes: 10, network: network)
        let state = model.initialState(seed: 5)
        var random = SplitMix64(seed: 9)
        let images = Tensor((0..<(4 * 3 * 8 * 8)).map { _ in Float.random(in: -1...1, using: &random) }, shape: [4, 3, 8, 8])
        let labels = Tensor([3, 8, 0, 5], shape: [4])
        return try Backends.with(backend) {
            var logits = Tensor(0)
            let (loss, gradients) = try valueAndGradient(of: { p in
                let out = try model.logits(images, parameters: p, buffers: state.buffers, training: training, random: SplitMix64(seed: 1))
                logits = out.logits
                return try out.logits.crossEntropy(labels: labels)
            }, at: state.parameters)
            Tensor.prepareToRead([loss, logits] + gradients.values)
            return (loss.scalar, logits.values, gradients.mapValues(\.values))
        }
    }

    @Test("a step's loss, logits and gradients agree with the CPU backend's, in training (batch statistics) and evaluation",
          arguments: [true, false])
    func parity(training: Bool) throws {
        let expected = try Self.step(on: try CPUBackend(threads: 2), training: training)
        let got = try Self.step(on: try VulkanTrainingDevice.backend.get(), training: training)
        #expect(abs(got.loss - expected.loss) <= 1e-3 * max(1, abs(expected.loss)), "loss \(got.loss) on Vulkan, \(expected.loss) on the CPU")
        for (g, e) in zip(got.logits, expected.logits) { #expect(abs(g - e) <= 1e-3 * max(1, abs(e)), "logit \(g) against \(e)") }
        #expect(Set(got.gradients.keys) == Set(expected.gradients.keys) && !expected.gradients.isEmpty)
        for (name, e) in expected.gradients {
            let g = got.gradients[name] ?? []
            let scale = max(e.map(abs).max() ?? 0, 1e-6)
            let worst = zip(g, e).map { abs($0 - $1) }.max() ?? .infinity
            #expect(g.count == e.count && worst <= 2e-3 * scale, "\(name): largest difference \(worst) against a largest gradient of \(scale)")
        }
    }
}
