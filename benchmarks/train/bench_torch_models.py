#!/usr/bin/env python3
"""../shared/bench/train/bench_torch.py, same arguments and output, building every model of labmake's zoo:
the shared script's own (small-cnn, resnet20, resnet18), and any other torchvision model as labmake builds
it (../models/reference_counts.py's `cifar`: torchvision's model with the CIFAR stem), e.g. mobilenet_v2.

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
    if name in ("small-cnn", "resnet20", "resnet18"):
        return _shared_build(name)
    sys.path.insert(0, os.path.join(HERE, "..", "models"))
    from reference_counts import cifar

    return cifar(name), f"torchvision.models.{name} with labmake's CIFAR stem (benchmarks/models/reference_counts.py)"


shared.build = build

if __name__ == "__main__":
    shared.main()
