/// torchvision's ResNet-50 and ResNeXt-50 (32×4d) with a CIFAR stem: a 3×3 stride-1 first convolution and no
/// max-pool; bottleneck blocks with the stride on the 3×3 convolution (ResNet v1.5), 1×1 projection shortcuts.
enum BottleneckNetworks {
    /// 1×1 to `width`, 3×3 (grouped) with the stride, 1×1 to `planes × 4`; added to the shortcut, then ReLU.
    static func bottleneck(_ path: String, _ inputs: Int, planes: Int, stride: Int, groups: Int, widthPerGroup: Int) -> any Layer {
        let width = planes * widthPerGroup / 64 * groups, outputs = planes * 4
        let body = Sequential([
            Conv2d(path + ".conv1", inputs, width, kernel: 1, bias: false), BatchNorm2d(path + ".bn1", width), ReLU(),
            Conv2d(path + ".conv2", width, width, kernel: 3, stride: stride, padding: 1, groups: groups, bias: false),
            BatchNorm2d(path + ".bn2", width), ReLU(),
            Conv2d(path + ".conv3", width, outputs, kernel: 1, bias: false), BatchNorm2d(path + ".bn3", outputs),
        ])
        let shortcut: (any Layer)? = stride == 1 && inputs == outputs ? nil : Sequential([
            Conv2d(path + ".downsample.0", inputs, outputs, kernel: 1, stride: stride, bias: false),
            BatchNorm2d(path + ".downsample.1", outputs),
        ])
        return Residual(body, shortcut: shortcut)
    }

    /// Four stages of 3, 4, 6 and 3 bottlenecks (64, 128, 256, 512 planes), global average pool, linear.
    static func make(_ r: ModelRequest, groups: Int, widthPerGroup: Int) -> any Layer {
        var layers: [any Layer] = [Conv2d("conv1", r.channels, 64, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn1", 64), ReLU()]
        var channels = 64
        for (stage, (planes, blocks, stride)) in [(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)].enumerated() {
            for i in 0..<blocks {
                layers.append(bottleneck("layer\(stage + 1).\(i)", channels, planes: planes, stride: i == 0 ? stride : 1,
                                         groups: groups, widthPerGroup: widthPerGroup))
                channels = planes * 4
            }
        }
        return Sequential(layers + [GlobalAvgPool2d(), Linear("fc", channels, r.classes)])
    }

    static func resnet50(_ r: ModelRequest) -> any Layer { make(r, groups: 1, widthPerGroup: 64) }
    static func resnext50(_ r: ModelRequest) -> any Layer { make(r, groups: 32, widthPerGroup: 4) }
}
