/// torchvision's VGG-16 (configuration D: thirteen 3×3 convolutions, five max-pools), with or without batch
/// norm. For 32×32 images the features end at 1×1×512, so the classifier is torchvision's three layers sized
/// for that map: 512 → 512 → 512 → classes with ReLU and dropout 0.5, as the common CIFAR ports have it.
enum VGG {
    static let vgg16 = [64, 64, -1, 128, 128, -1, 256, 256, 256, -1, 512, 512, 512, -1, 512, 512, 512, -1]

    static func make(_ r: ModelRequest, configuration: [Int], batchNorm: Bool) -> any Layer {
        var layers: [any Layer] = []
        var channels = r.channels, index = 0
        for width in configuration {
            if width < 0 {
                layers.append(MaxPool2d(kernel: 2))
                index += 1
                continue
            }
            layers.append(Conv2d("features.\(index)", channels, width, kernel: 3, padding: 1))
            if batchNorm { layers.append(BatchNorm2d("features.\(index + 1)", width)) }
            layers.append(ReLU())
            index += batchNorm ? 3 : 2
            channels = width
        }
        return Sequential(layers + [
            GlobalAvgPool2d(),
            Linear("classifier.0", channels, 512), ReLU(), Dropout(0.5),
            Linear("classifier.3", 512, 512), ReLU(), Dropout(0.5),
            Linear("classifier.6", 512, r.classes),
        ])
    }
}
