/// MobileNetV2 for CIFAR (Sandler et al. 2018, with the usual CIFAR changes: stride-1 stem and first
/// 24-channel stage, as in the widely used pytorch-cifar code).
enum MobileNetV2 {
    /// (expansion, output channels, blocks, first stride).
    static let stages = [(1, 16, 1, 1), (6, 24, 2, 1), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    static func cifar(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = [Conv2d("conv1", r.channels, 32, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn1", 32), ReLU()]
        var channels = 32, index = 0
        for (expansion, width, blocks, firstStride) in stages {
            for i in 0..<blocks {
                layers.append(block("layers.\(index)", channels, width, expansion: expansion, stride: i == 0 ? firstStride : 1))
                channels = width
                index += 1
            }
        }
        layers += [Conv2d("conv2", 320, 1280, kernel: 1, bias: false), BatchNorm2d("bn2", 1280), ReLU(),
                   GlobalAvgPool2d(), Linear("linear", 1280, r.classes)]
        return Sequential(layers)
    }

    /// Expand (1×1), depthwise 3×3, project (1×1, linear); a residual connection where the stride is 1.
    static func block(_ path: String, _ inputs: Int, _ outputs: Int, expansion: Int, stride: Int) -> any Layer {
        let hidden = inputs * expansion
        let body = Sequential([
            Conv2d(path + ".conv1", inputs, hidden, kernel: 1, bias: false), BatchNorm2d(path + ".bn1", hidden), ReLU(),
            Conv2d(path + ".conv2", hidden, hidden, kernel: 3, stride: stride, padding: 1, groups: hidden, bias: false),
            BatchNorm2d(path + ".bn2", hidden), ReLU(),
            Conv2d(path + ".conv3", hidden, outputs, kernel: 1, bias: false), BatchNorm2d(path + ".bn3", outputs),
        ])
        guard stride == 1 else { return body }
        let shortcut: (any Layer)? = inputs == outputs ? nil : Sequential([
            Conv2d(path + ".shortcut.0", inputs, outputs, kernel: 1, bias: false), BatchNorm2d(path + ".shortcut.1", outputs),
        ])
        return Residual(body, shortcut: shortcut, activation: nil)
    }
}
