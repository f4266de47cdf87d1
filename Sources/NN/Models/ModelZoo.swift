import Compute
import SystemIO

/// The lab's models by name, for 3×32×32 inputs.
public enum ModelZoo {
    public static let names = ["mlp", "simple-cnn", "small-cnn", "resnet20", "resnet32", "resnet56", "resnet18", "vgg11",
                               "mobilenet_v2", "densenet"]

    /// The model called `name` with `classes` outputs; `dropout` applies where the model has a dropout layer.
    public static func make(_ name: String, classes: Int = 10, dropout: Float = 0) throws -> Model {
        let network: any Layer
        switch name {
        case "mlp": network = ConvolutionalNetworks.mlp(classes, dropout: dropout)
        case "simple-cnn": network = ConvolutionalNetworks.simpleCNN(classes, dropout: dropout)
        case "small-cnn": network = ConvolutionalNetworks.smallCNN(classes)
        case "resnet20": network = ResidualNetworks.cifar(depth: 20, classes)
        case "resnet32": network = ResidualNetworks.cifar(depth: 32, classes)
        case "resnet56": network = ResidualNetworks.cifar(depth: 56, classes)
        case "resnet18": network = ResidualNetworks.resnet18(classes)
        case "vgg11": network = ConvolutionalNetworks.vgg11(classes)
        case "mobilenet_v2": network = MobileNetV2.cifar(classes)
        case "densenet": network = DenseNet.cifarBC(depth: 40, growth: 12, classes)
        default:
            let hint = NearestName.hint(name, among: names).map { "; \($0)" } ?? ""
            throw ComputeError("unknown model '\(name)'\(hint) (models: \(names.joined(separator: ", ")))")
        }
        return Model(name: name, classes: classes, network: network)
    }
}
