"""Parameter counts of torchvision's models as labmake builds them for 32x32 images, for the model tests.

Each model is torchvision's own (`torchvision.models.<name>(num_classes=10)`), changed only where labmake's
CIFAR stem and 32x32 classifier change it:
  - the first convolution becomes 3x3, stride 1, padding 1, with the same output channels;
  - a stem max-pool (ResNets, DenseNet) is removed;
  - VGG's classifier is sized for the 1x1x512 map: 512 -> 512 -> 512 -> classes (dropout 0.5 between).
ResNet-18 is also checked against the count recorded before this script (the pytorch-cifar port).

    pip install torch torchvision
    python3 benchmarks/models/reference_counts.py            # prints a Markdown table and a Swift array
"""
import argparse

import torch.nn as nn
import torchvision.models as models

NAMES = ["resnet18", "resnet50", "resnext50_32x4d", "vgg16", "vgg16_bn", "densenet121", "squeezenet1_1",
         "shufflenet_v2_x1_0", "mobilenet_v2", "mnasnet1_0"]


def cifar(name, classes=10):
    m = models.__dict__[name](num_classes=classes)
    if name.startswith("res"):
        m.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    elif name.startswith("vgg"):
        m.avgpool = nn.AdaptiveAvgPool2d(1)
        m.classifier = nn.Sequential(nn.Linear(512, 512), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(512, 512), nn.ReLU(True),
                                     nn.Dropout(0.5), nn.Linear(512, classes))
    elif name.startswith("densenet"):
        m.features.conv0 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        m.features.pool0 = nn.Identity()
    elif name.startswith("squeezenet"):
        m.features[0] = nn.Conv2d(3, 64, 3, 1, 1)
    elif name.startswith("shufflenet"):
        m.conv1[0] = nn.Conv2d(3, 24, 3, 1, 1, bias=False)
        m.maxpool = nn.Identity()
    elif name.startswith("mobilenet"):
        m.features[0][0] = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
    elif name.startswith("mnasnet"):
        m.layers[0] = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
    return m


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", type=int, default=10)
    args = parser.parse_args()
    import torch, torchvision
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, {args.classes} classes\n")
    print("| model | parameters |\n|---|---:|")
    counts = []
    for name in NAMES:
        m = cifar(name, args.classes)
        n = sum(p.numel() for p in m.parameters())
        y = m.eval()(torch.zeros(2, 3, 32, 32))
        assert tuple(y.shape) == (2, args.classes), (name, y.shape)
        counts.append((name, n))
        print(f"| {name} | {n:,} |")
    print("\n" + ", ".join(f'("{n}", {c:_})' for n, c in counts))


if __name__ == "__main__":
    main()
