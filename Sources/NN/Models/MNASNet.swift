/// torchvision's MNASNet 1.0 with a CIFAR stem (a 3×3 stride-1 first convolution): a depthwise-separable
/// block to 16 channels, six stacks of inverted residuals (3×3 and 5×5 depthwise kernels, expansion 3 or 6),
/// a 1×1 convolution to 1,280, global average pool, dropout 0.2, linear. No squeeze-and-excitation.
enum MNASNet {
    /// Expand (1×1), depthwise `kernel`×`kernel`, project (1×1, linear); a residual connection where shapes allow.
    static func invertedResidual(_ path: String, _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int, expansion: Int) -> any Layer {
        let hidden = inputs * expansion
        let body = Sequential([
            Conv2d(path + ".layers.0", inputs, hidden, kernel: 1, bias: false), BatchNorm2d(path + ".layers.1", hidden), ReLU(),
            Conv2d(path + ".layers.3", hidden, hidden, kernel: kernel, stride: stride, padding: kernel / 2, groups: hidden, bias: false),
            BatchNorm2d(path + ".layers.4", hidden), ReLU(),
            Conv2d(path + ".layers.6", hidden, outputs, kernel: 1, bias: false), BatchNorm2d(path + ".layers.7", outputs),
        ])
        return inputs == outputs && stride == 1 ? Residual(body, activation: nil) : body
    }

    /// (output channels, kernel, first stride, expansion, repeats) of the six stacks, after a 16-channel block.
    static let stacks = [(24, 3, 2, 3, 3), (40, 5, 2, 3, 3), (80, 5, 2, 6, 3), (96, 3, 1, 6, 2), (192, 5, 2, 6, 4), (320, 3, 1, 6, 1)]

    static func v1_0(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = [
            Conv2d("layers.0", r.channels, 32, kernel: 3, padding: 1, bias: false), BatchNorm2d("layers.1", 32), ReLU(),
            Conv2d("layers.3", 32, 32, kernel: 3, padding: 1, groups: 32, bias: false), BatchNorm2d("layers.4", 32), ReLU(),
            Conv2d("layers.6", 32, 16, kernel: 1, bias: false), BatchNorm2d("layers.7", 16),
        ]
        var channels = 16
        for (index, (width, kernel, stride, expansion, repeats)) in stacks.enumerated() {
            for i in 0..<repeats {
                layers.append(invertedResidual("layers.\(index + 8).\(i)", channels, width, kernel: kernel, stride: i == 0 ? stride : 1,
                                               expansion: expansion))
                channels = width
            }
        }
        return Sequential(layers + [Conv2d("layers.14", channels, 1280, kernel: 1, bias: false), BatchNorm2d("layers.15", 1280), ReLU(),
                                    GlobalAvgPool2d(), Dropout(0.2), Linear("classifier.1", 1280, r.classes)])
    }
}
