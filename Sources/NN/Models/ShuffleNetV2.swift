/// torchvision's ShuffleNet V2 1.0× with a CIFAR stem (a 3×3 stride-1 first convolution, no max-pool):
/// stages of 4, 8 and 4 units at 116, 232 and 464 channels, a 1×1 convolution to 1,024, global average pool, linear.
enum ShuffleNetV2 {
    static func depthwise(_ path: String, _ channels: Int, stride: Int) -> [any Layer] {
        [Conv2d(path, channels, channels, kernel: 3, stride: stride, padding: 1, groups: channels, bias: false)]
    }

    /// A unit: with stride 2 both branches see the whole input and the channels double; with stride 1 half the
    /// channels pass through untouched. Then the channels are shuffled.
    static func unit(_ path: String, _ inputs: Int, _ outputs: Int, stride: Int) -> any Layer {
        let half = outputs / 2
        let branchInputs = stride == 1 ? half : inputs
        let branch2 = Sequential([
            Conv2d(path + ".branch2.0", branchInputs, half, kernel: 1, bias: false), BatchNorm2d(path + ".branch2.1", half), ReLU(),
            Conv2d(path + ".branch2.3", half, half, kernel: 3, stride: stride, padding: 1, groups: half, bias: false),
            BatchNorm2d(path + ".branch2.4", half),
            Conv2d(path + ".branch2.5", half, half, kernel: 1, bias: false), BatchNorm2d(path + ".branch2.6", half), ReLU(),
        ])
        let joined: any Layer
        if stride == 1 {
            joined = ChannelSplit(branch2)
        } else {
            let branch1 = Sequential([
                Conv2d(path + ".branch1.0", inputs, inputs, kernel: 3, stride: stride, padding: 1, groups: inputs, bias: false),
                BatchNorm2d(path + ".branch1.1", inputs),
                Conv2d(path + ".branch1.2", inputs, half, kernel: 1, bias: false), BatchNorm2d(path + ".branch1.3", half), ReLU(),
            ])
            joined = Concatenation([branch1, branch2])
        }
        return Sequential([joined, ChannelShuffle(groups: 2)])
    }

    static func x1_0(_ r: ModelRequest) -> any Layer {
        var layers: [any Layer] = [Conv2d("conv1.0", r.channels, 24, kernel: 3, padding: 1, bias: false), BatchNorm2d("conv1.1", 24), ReLU()]
        var channels = 24
        for (stage, (repeats, width)) in [(4, 116), (8, 232), (4, 464)].enumerated() {
            for i in 0..<repeats {
                layers.append(unit("stage\(stage + 2).\(i)", channels, width, stride: i == 0 ? 2 : 1))
                channels = width
            }
        }
        return Sequential(layers + [Conv2d("conv5.0", channels, 1024, kernel: 1, bias: false), BatchNorm2d("conv5.1", 1024), ReLU(),
                                    GlobalAvgPool2d(), Linear("fc", 1024, r.classes)])
    }
}
