import Compute
import SystemIO

/// The lab's models by name, for small images (CIFAR-10's 3×32×32, MNIST's 1×28×28, and the like).
public enum ModelZoo {
    /// One model: its name, what it is, the smallest image side it can take, and how it is built.
    public struct Entry: Sendable {
        public let name: String
        public let summary: String
        /// The smallest height and width it accepts: its pooling stages would shrink a smaller image to nothing.
        public let minimumSide: Int
        let build: @Sendable (ModelRequest) -> any Layer
    }

    public static let entries: [Entry] = [
        Entry(name: "mlp", summary: "pixels → hidden_size1 → hidden_size2 → classes (default 512, 256)", minimumSide: 1,
              build: ConvolutionalNetworks.mlp),
        Entry(name: "simple-cnn", summary: "two conv + max-pool blocks (32, 64), a 128-unit layer", minimumSide: 4,
              build: ConvolutionalNetworks.simpleCNN),
        Entry(name: "small-cnn", summary: "conv 32, 64, 128 with two max-pools, global average pool", minimumSide: 4,
              build: ConvolutionalNetworks.smallCNN),
        Entry(name: "resnet20", summary: "He et al.'s CIFAR ResNet-20, option-A shortcuts", minimumSide: 4,
              build: { ResidualNetworks.cifar(depth: 20, $0) }),
        Entry(name: "resnet32", summary: "CIFAR ResNet-32", minimumSide: 4, build: { ResidualNetworks.cifar(depth: 32, $0) }),
        Entry(name: "resnet56", summary: "CIFAR ResNet-56", minimumSide: 4, build: { ResidualNetworks.cifar(depth: 56, $0) }),
        Entry(name: "vgg11", summary: "VGG-11 with batch norm, one linear layer", minimumSide: 32, build: ConvolutionalNetworks.vgg11),
        Entry(name: "densenet", summary: "DenseNet-BC-40, growth 12", minimumSide: 4, build: { DenseNet.cifarBC(depth: 40, growth: 12, $0) }),
        // torchvision's architectures, each with a CIFAR stem: a 3×3 stride-1 first convolution and no stem max-pool.
        Entry(name: "resnet18", summary: "torchvision ResNet-18, CIFAR stem", minimumSide: 4, build: ResidualNetworks.resnet18),
        Entry(name: "resnet50", summary: "torchvision ResNet-50 (bottlenecks, v1.5), CIFAR stem", minimumSide: 4,
              build: BottleneckNetworks.resnet50),
        Entry(name: "resnext50_32x4d", summary: "torchvision ResNeXt-50 32×4d (grouped 3×3 convolutions), CIFAR stem", minimumSide: 4,
              build: BottleneckNetworks.resnext50),
        Entry(name: "vgg16", summary: "torchvision VGG-16, classifier 512-512-classes with dropout 0.5", minimumSide: 32,
              build: { VGG.make($0, configuration: VGG.vgg16, batchNorm: false) }),
        Entry(name: "vgg16_bn", summary: "torchvision VGG-16 with batch norm, classifier as vgg16", minimumSide: 32,
              build: { VGG.make($0, configuration: VGG.vgg16, batchNorm: true) }),
        Entry(name: "densenet121", summary: "torchvision DenseNet-121 (growth 32), CIFAR stem", minimumSide: 8, build: DenseNet.densenet121),
        Entry(name: "squeezenet1_1", summary: "torchvision SqueezeNet 1.1 (fire modules), CIFAR stem", minimumSide: 4, build: SqueezeNet.v1_1),
        Entry(name: "shufflenet_v2_x1_0", summary: "torchvision ShuffleNet V2 1.0× (channel split and shuffle), CIFAR stem",
              minimumSide: 4, build: ShuffleNetV2.x1_0),
        Entry(name: "mobilenet_v2", summary: "torchvision MobileNetV2 (ReLU6, dropout 0.2), CIFAR stem", minimumSide: 4,
              build: MobileNetV2.cifar),
        Entry(name: "mnasnet1_0", summary: "torchvision MNASNet 1.0 (no squeeze-excite), CIFAR stem", minimumSide: 4, build: MNASNet.v1_0),
    ]

    public static var names: [String] { entries.map(\.name) }

    /// The model called `name`, built for `request`; throws for an unknown name or images too small for it.
    public static func make(_ name: String, _ request: ModelRequest = ModelRequest()) throws -> Model {
        guard let entry = entries.first(where: { $0.name == name }) else {
            let hint = NearestName.hint(name, among: names).map { "; \($0)" } ?? ""
            throw ComputeError("unknown model '\(name)'\(hint) (models: \(names.joined(separator: ", ")))")
        }
        guard min(request.height, request.width) >= entry.minimumSide else {
            throw ComputeError("\(name) needs images of at least \(entry.minimumSide)×\(entry.minimumSide) pixels; these are "
                               + "\(request.height)×\(request.width): choose a model that pools less (mlp, simple-cnn, resnet20…)")
        }
        guard request.hiddenSizes.count == 2, request.hiddenSizes.allSatisfy({ $0 >= 1 }), request.classes >= 1, request.channels >= 1 else {
            throw ComputeError("\(name): a model needs at least one class, one input plane and two hidden widths ≥ 1")
        }
        return Model(name: name, classes: request.classes, network: entry.build(request))
    }

    /// The model called `name` for 3×32×32 images and `classes` classes.
    public static func make(_ name: String, classes: Int, dropout: Float = 0) throws -> Model {
        try make(name, ModelRequest(classes: classes, dropout: dropout))
    }
}
