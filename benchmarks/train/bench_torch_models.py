#!/usr/bin/env python3
"""../shared/bench/train/bench_torch.py, same arguments and output, with the lab's models it lacks:

- mobilenet_v2: torchvision's MobileNetV2 with labmake's CIFAR stem (a 3×3 stride-1 first convolution),
  as labmake's `mobilenet_v2` (Sources/NN/Models/MobileNetV2.swift).

Its `build(name)` is what torch_peak_memory.py loads when given this file as --bench-torch.
"""
import importlib.util, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "bench", "train", "bench_torch.py"))

_spec = importlib.util.spec_from_file_location("bench_torch", SHARED)
shared = importlib.util.module_from_spec(_spec)
_argv, sys.argv = sys.argv, [sys.argv[0]]
_spec.loader.exec_module(shared)
sys.argv = _argv
_shared_build = shared.build


def build(name):
    if name == "mobilenet_v2":
        import torch.nn as nn
        import torchvision

        m = torchvision.models.mobilenet_v2(weights=None, num_classes=10)
        m.features[0][0] = nn.Conv2d(3, 32, 3, 1, 1, bias=False)
        return m, "torchvision.models.mobilenet_v2 + 3x3 stride-1 stem"
    return _shared_build(name)


shared.build = build

if __name__ == "__main__":
    shared.main()
