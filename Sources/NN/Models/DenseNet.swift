/// A small DenseNet-BC for CIFAR (Huang et al. 2017): three dense blocks of bottleneck layers
/// (BN–ReLU–conv 1×1 to 4k, BN–ReLU–conv 3×3 to k, concatenated), transitions halving channels and size.
enum DenseNet {
    static func cifarBC(depth: Int, growth k: Int, _ r: ModelRequest) -> any Layer {
        let perBlock = (depth - 4) / 6
        var channels = 2 * k
        var layers: [any Layer] = [Conv2d("conv1", r.channels, channels, kernel: 3, padding: 1, bias: false)]
        for block in 0..<3 {
            for i in 0..<perBlock {
                let path = "dense\(block + 1).\(i)"
                layers.append(DenseConnection(Sequential([
                    BatchNorm2d(path + ".bn1", channels), ReLU(), Conv2d(path + ".conv1", channels, 4 * k, kernel: 1, bias: false),
                    BatchNorm2d(path + ".bn2", 4 * k), ReLU(), Conv2d(path + ".conv2", 4 * k, k, kernel: 3, padding: 1, bias: false),
                ])))
                channels += k
            }
            if block < 2 {
                let path = "trans\(block + 1)", reduced = channels / 2
                layers += [BatchNorm2d(path + ".bn", channels), ReLU(), Conv2d(path + ".conv", channels, reduced, kernel: 1, bias: false),
                           AvgPool2d(kernel: 2)]
                channels = reduced
            }
        }
        return Sequential(layers + [BatchNorm2d("bn", channels), ReLU(), GlobalAvgPool2d(), Linear("linear", channels, r.classes)])
    }
}

extension DenseNet {
    /// torchvision's DenseNet-121 (growth 32, blocks of 6, 12, 24 and 16 bottleneck layers, 64 initial features,
    /// compression 0.5) with a CIFAR stem: a 3×3 stride-1 first convolution, its batch norm and ReLU, no max-pool.
    static func densenet121(_ r: ModelRequest) -> any Layer {
        let k = 32
        var channels = 64
        var layers: [any Layer] = [Conv2d("features.conv0", r.channels, channels, kernel: 3, padding: 1, bias: false),
                                   BatchNorm2d("features.norm0", channels), ReLU()]
        for (block, count) in [6, 12, 24, 16].enumerated() {
            for i in 0..<count {
                let path = "features.denseblock\(block + 1).denselayer\(i + 1)"
                layers.append(DenseConnection(Sequential([
                    BatchNorm2d(path + ".norm1", channels), ReLU(), Conv2d(path + ".conv1", channels, 4 * k, kernel: 1, bias: false),
                    BatchNorm2d(path + ".norm2", 4 * k), ReLU(), Conv2d(path + ".conv2", 4 * k, k, kernel: 3, padding: 1, bias: false),
                ])))
                channels += k
            }
            if block < 3 {
                let path = "features.transition\(block + 1)", reduced = channels / 2
                layers += [BatchNorm2d(path + ".norm", channels), ReLU(), Conv2d(path + ".conv", channels, reduced, kernel: 1, bias: false),
                           AvgPool2d(kernel: 2)]
                channels = reduced
            }
        }
        return Sequential(layers + [BatchNorm2d("features.norm5", channels), ReLU(), GlobalAvgPool2d(), Linear("classifier", channels, r.classes)])
    }
}
