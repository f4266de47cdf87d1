/// Plain feed-forward models: an MLP, two small CNNs and VGG-11 with batch norm.
enum ConvolutionalNetworks {
    /// Pixels → hidden₁ → hidden₂ → classes, ReLU (and dropout) between.
    static func mlp(_ r: ModelRequest) -> any Layer {
        let (first, second) = (r.hiddenSizes[0], r.hiddenSizes[1])
        return Sequential([Flatten(), Linear("fc1", r.channels * r.height * r.width, first), ReLU(), Dropout(r.dropout),
                           Linear("fc2", first, second), ReLU(), Dropout(r.dropout), Linear("fc3", second, r.classes)])
    }

    /// LeNet-style: two conv 3×3 + ReLU + max-pool blocks of 32 and 64 channels, a 128-unit hidden layer.
    static func simpleCNN(_ r: ModelRequest) -> any Layer {
        Sequential([
            Conv2d("conv1", r.channels, 32, kernel: 3, padding: 1), ReLU(), MaxPool2d(kernel: 2),
            Conv2d("conv2", 32, 64, kernel: 3, padding: 1), ReLU(), MaxPool2d(kernel: 2),
            Flatten(), Linear("fc1", 64 * (r.height / 4) * (r.width / 4), 128), ReLU(), Dropout(r.dropout), Linear("fc2", 128, r.classes),
        ])
    }

    /// The PyTorch yardstick's small CNN (../shared/bench/train): conv 32, conv 64 + pool, conv 128 + pool,
    /// global average pool, linear.
    static func smallCNN(_ r: ModelRequest) -> any Layer {
        Sequential([
            Conv2d("c1", r.channels, 32, kernel: 3, padding: 1), ReLU(),
            Conv2d("c2", 32, 64, kernel: 3, padding: 1), ReLU(), MaxPool2d(kernel: 2),
            Conv2d("c3", 64, 128, kernel: 3, padding: 1), ReLU(), MaxPool2d(kernel: 2),
            GlobalAvgPool2d(), Linear("fc", 128, r.classes),
        ])
    }

    /// VGG-11 with batch norm, CIFAR variant: eight conv 3×3 + BN + ReLU, five max-pools, one linear layer.
    static func vgg11(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = []
        var channels = r.channels, index = 0
        for width in [64, -1, 128, -1, 256, 256, -1, 512, 512, -1, 512, 512, -1] {
            if width < 0 {
                layers.append(MaxPool2d(kernel: 2))
                index += 1
                continue
            }
            layers += [Conv2d("features.\(index)", channels, width, kernel: 3, padding: 1),
                       BatchNorm2d("features.\(index + 1)", width), ReLU()]
            index += 3
            channels = width
        }
        return Sequential(layers + [Flatten(), Linear("classifier", 512, r.classes)])
    }
}
