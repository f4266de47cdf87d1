/// ResNets for CIFAR: He et al. 2016's 6n+2 networks with option-A shortcuts, and ResNet-18's CIFAR variant.
enum ResidualNetworks {
    /// conv–BN–ReLU–conv–BN, added to the shortcut, then ReLU.
    static func basicBlock(_ path: String, _ inputs: Int, _ outputs: Int, stride: Int, projection: Bool) -> any Layer {
        let body = Sequential([
            Conv2d(path + ".conv1", inputs, outputs, kernel: 3, stride: stride, padding: 1, bias: false),
            BatchNorm2d(path + ".bn1", outputs), ReLU(),
            Conv2d(path + ".conv2", outputs, outputs, kernel: 3, padding: 1, bias: false),
            BatchNorm2d(path + ".bn2", outputs),
        ])
        var shortcut: (any Layer)?
        if stride != 1 || inputs != outputs {
            shortcut = projection
                ? Sequential([Conv2d(path + ".shortcut.0", inputs, outputs, kernel: 1, stride: stride, bias: false),
                              BatchNorm2d(path + ".shortcut.1", outputs)])
                : ZeroPadShortcut(inputs: inputs, outputs: outputs, stride: stride)
        }
        return Residual(body, shortcut: shortcut)
    }

    /// ResNet-`depth` (20, 32, 56…): stages of 16, 32 and 64 channels, (depth − 2) / 6 blocks each.
    static func cifar(depth: Int, _ r: ModelRequest) -> any Layer {
        let n = (depth - 2) / 6
        var layers: [any Layer] = [Conv2d("conv1", r.channels, 16, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn1", 16), ReLU()]
        var channels = 16, index = 0
        for (width, stride) in [(16, 1), (32, 2), (64, 2)] {
            for i in 0..<n {
                layers.append(basicBlock("layers.\(index)", channels, width, stride: i == 0 ? stride : 1, projection: false))
                channels = width
                index += 1
            }
        }
        return Sequential(layers + [GlobalAvgPool2d(), Linear("fc", 64, r.classes)])
    }

    /// ResNet-18 for CIFAR: 3×3 stride-1 stem, no max-pool, four stages of two blocks, 1×1 projection shortcuts.
    static func resnet18(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = [Conv2d("conv1", r.channels, 64, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn1", 64), ReLU()]
        var channels = 64
        for (stage, (width, stride)) in [(64, 1), (128, 2), (256, 2), (512, 2)].enumerated() {
            for i in 0..<2 {
                layers.append(basicBlock("layer\(stage + 1).\(i)", channels, width, stride: i == 0 ? stride : 1, projection: true))
                channels = width
            }
        }
        return Sequential(layers + [GlobalAvgPool2d(), Linear("fc", 512, r.classes)])
    }
}
