/// torchvision's SqueezeNet 1.1 with a CIFAR stem (a 3×3 stride-1 first convolution): fire modules — a 1×1
/// squeeze, then 1×1 and 3×3 expands concatenated — between three 3×3 stride-2 max-pools, and a classifier
/// of dropout 0.5, a 1×1 convolution to the classes, ReLU and a global average pool. The max-pools pad by
/// one where torchvision rounds up (`ceil_mode`): the same output sizes.
enum SqueezeNet {
    static func fire(_ path: String, _ inputs: Int, squeeze: Int, expand1x1: Int, expand3x3: Int) -> any Layer {
        Sequential([
            Conv2d(path + ".squeeze", inputs, squeeze, kernel: 1), ReLU(),
            Concatenation([
                Sequential([Conv2d(path + ".expand1x1", squeeze, expand1x1, kernel: 1), ReLU()]),
                Sequential([Conv2d(path + ".expand3x3", squeeze, expand3x3, kernel: 3, padding: 1), ReLU()]),
            ]),
        ])
    }

    static func v1_1(_ r: ModelRequest) -> any Layer {
        func pool() -> any Layer { MaxPool2d(kernel: 3, stride: 2, padding: 1) }
        return Sequential([
            Conv2d("features.0", r.channels, 64, kernel: 3, padding: 1), ReLU(), pool(),
            fire("features.3", 64, squeeze: 16, expand1x1: 64, expand3x3: 64),
            fire("features.4", 128, squeeze: 16, expand1x1: 64, expand3x3: 64), pool(),
            fire("features.6", 128, squeeze: 32, expand1x1: 128, expand3x3: 128),
            fire("features.7", 256, squeeze: 32, expand1x1: 128, expand3x3: 128), pool(),
            fire("features.9", 256, squeeze: 48, expand1x1: 192, expand3x3: 192),
            fire("features.10", 384, squeeze: 48, expand1x1: 192, expand3x3: 192),
            fire("features.11", 384, squeeze: 64, expand1x1: 256, expand3x3: 256),
            fire("features.12", 512, squeeze: 64, expand1x1: 256, expand3x3: 256),
            Dropout(0.5), Conv2d("classifier.1", 512, r.classes, kernel: 1), ReLU(), GlobalAvgPool2d(),
        ])
    }
}
