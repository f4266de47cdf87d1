/// DenseNets (Huang et al. 2017): dense blocks of bottleneck layers (BN–ReLU–conv 1×1 to 4k, BN–ReLU–conv 3×3 to
/// k, concatenated to their input), transitions (BN–ReLU–conv 1×1 halving the channels, 2×2 average pool) between.
enum DenseNet {
    /// Parameter names of one network's layers: DenseNet-BC's short ones or torchvision's.
    struct Names {
        var layer: (_ block: Int, _ layer: Int) -> String
        var norms: (String, String)
        var transition: (_ block: Int) -> String
        var transitionNorm: String
    }

    /// Dense blocks of `layers[b]` bottleneck layers from `channels` inputs, with a transition after every block
    /// but the last; returns the layers and the channels they end with.
    static func blocks(_ layers: [Int], growth k: Int, from channels: Int, names: Names) -> ([any Layer], Int) {
        var result: [any Layer] = []
        var channels = channels
        for (block, count) in layers.enumerated() {
            for i in 0..<count {
                let path = names.layer(block + 1, i)
                result.append(DenseConnection(Sequential([
                    BatchNorm2d(path + "." + names.norms.0, channels), ReLU(), Conv2d(path + ".conv1", channels, 4 * k, kernel: 1, bias: false),
                    BatchNorm2d(path + "." + names.norms.1, 4 * k), ReLU(), Conv2d(path + ".conv2", 4 * k, k, kernel: 3, padding: 1, bias: false),
                ])))
                channels += k
            }
            if block < layers.count - 1 {
                let path = names.transition(block + 1), reduced = channels / 2
                result += [BatchNorm2d(path + "." + names.transitionNorm, channels), ReLU(),
                           Conv2d(path + ".conv", channels, reduced, kernel: 1, bias: false), AvgPool2d(kernel: 2)]
                channels = reduced
            }
        }
        return (result, channels)
    }

    /// A small DenseNet-BC for CIFAR: three blocks of (depth − 4) / 6 layers, 2k initial channels.
    static func cifarBC(depth: Int, growth k: Int, _ r: ModelRequest) -> any Layer {
        let perBlock = (depth - 4) / 6
        let names = Names(layer: { "dense\($0).\($1)" }, norms: ("bn1", "bn2"), transition: { "trans\($0)" }, transitionNorm: "bn")
        let (body, channels) = blocks([perBlock, perBlock, perBlock], growth: k, from: 2 * k, names: names)
        return Sequential([Conv2d("conv1", r.channels, 2 * k, kernel: 3, padding: 1, bias: false)] + body
                          + [BatchNorm2d("bn", channels), ReLU(), GlobalAvgPool2d(), Linear("linear", channels, r.classes)])
    }

    /// torchvision's DenseNet-121 (growth 32, blocks of 6, 12, 24 and 16 bottleneck layers, 64 initial features,
    /// compression 0.5) with a CIFAR stem: a 3×3 stride-1 first convolution, its batch norm and ReLU, no max-pool.
    static func densenet121(_ r: ModelRequest) -> any Layer {
        let names = Names(layer: { "features.denseblock\($0).denselayer\($1 + 1)" }, norms: ("norm1", "norm2"),
                          transition: { "features.transition\($0)" }, transitionNorm: "norm")
        let (body, channels) = blocks([6, 12, 24, 16], growth: 32, from: 64, names: names)
        return Sequential([Conv2d("features.conv0", r.channels, 64, kernel: 3, padding: 1, bias: false), BatchNorm2d("features.norm0", 64), ReLU()]
                          + body + [BatchNorm2d("features.norm5", channels), ReLU(), GlobalAvgPool2d(), Linear("classifier", channels, r.classes)])
    }
}
