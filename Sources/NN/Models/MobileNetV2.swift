/// torchvision's MobileNetV2 (Sandler et al. 2018) with a CIFAR stem (a 3×3 stride-1 first convolution):
/// inverted residuals with ReLU6, a 1×1 convolution to 1,280, global average pool, dropout 0.2, linear.
enum MobileNetV2 {
    /// (expansion, output channels, blocks, first stride).
    static let stages = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]

    static func cifar(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = [Conv2d("features.0.0", r.channels, 32, kernel: 3, padding: 1, bias: false), BatchNorm2d("features.0.1", 32), ReLU6()]
        var channels = 32, index = 1
        for (expansion, width, blocks, firstStride) in stages {
            for i in 0..<blocks {
                layers.append(block("features.\(index)", channels, width, expansion: expansion, stride: i == 0 ? firstStride : 1))
                channels = width
                index += 1
            }
        }
        layers += [Conv2d("features.\(index).0", channels, 1280, kernel: 1, bias: false), BatchNorm2d("features.\(index).1", 1280), ReLU6(),
                   GlobalAvgPool2d(), Dropout(0.2), Linear("classifier.1", 1280, r.classes)]
        return Sequential(layers)
    }

    /// Expand (1×1, unless the expansion is 1), depthwise 3×3, project (1×1, linear); a residual connection
    /// where the stride is 1 and the channels stay.
    static func block(_ path: String, _ inputs: Int, _ outputs: Int, expansion: Int, stride: Int) -> any Layer {
        let hidden = inputs * expansion
        var layers: [any Layer] = []
        var k = 0
        if expansion != 1 {
            layers += [Conv2d(path + ".conv.0.0", inputs, hidden, kernel: 1, bias: false), BatchNorm2d(path + ".conv.0.1", hidden), ReLU6()]
            k = 1
        }
        layers += [
            Conv2d(path + ".conv.\(k).0", hidden, hidden, kernel: 3, stride: stride, padding: 1, groups: hidden, bias: false),
            BatchNorm2d(path + ".conv.\(k).1", hidden), ReLU6(),
            Conv2d(path + ".conv.\(k + 1)", hidden, outputs, kernel: 1, bias: false), BatchNorm2d(path + ".conv.\(k + 2)", outputs),
        ]
        let body = Sequential(layers)
        return stride == 1 && inputs == outputs ? Residual(body, activation: nil) : body
    }
}
