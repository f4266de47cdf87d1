#!/usr/bin/env python3
"""Where a training step's convolution time goes, from oneDNN's own timing of each primitive.

    DNNL_VERBOSE=1 labmake bench train --model resnet18 --steps 3 --warmup 1 > verbose.txt
    python3 benchmarks/train/step_profile.py verbose.txt

The log is split into passes at the stem convolution (3 input channels); a pass with backward primitives is a
training step, one without an inference pass. In a training step, forward primitives after the first
backward one are input gradients run on the forward kernels (Sources/ComputeCPU/InputGradientRoute.swift).
The first pass of each kind (the warm-up) is left out. Prints milliseconds per training step by kind.
"""
import collections, sys


def passes(path):
    found = []
    for line in open(path):
        if ",exec," not in line:
            continue
        f = line.strip().split(",")
        primitive, kind, problem, ms = f[3], f[5], f[9], float(f[10])
        if primitive == "convolution" and kind == "forward_training" and "_ic3oc" in "_" + problem.split("_", 1)[-1]:
            found.append({"backward": False, "ms": collections.Counter()})
        if not found:
            continue
        p = found[-1]
        if primitive == "reorder":
            what = "weight reorders"
        elif kind == "forward_training":
            what = "input gradients on the forward kernels" if p["backward"] else "forward convolutions"
        elif kind == "backward_data":
            p["backward"] = True
            what = "input gradients on the backward-data kernels"
        else:
            p["backward"] = True
            what = "weight gradients"
        p["ms"][what] += ms
    return found


def main():
    found = passes(sys.argv[1])
    train = [p for p in found if p["backward"]][1:]
    infer = [p for p in found if not p["backward"]][1:]
    if not train:
        sys.exit("no training step after the warm-up in the log (run with DNNL_VERBOSE=1 and --warmup 1)")
    total = collections.Counter()
    for p in train:
        total.update(p["ms"])
    for what, ms in total.most_common():
        print(f"{what}: {ms / len(train):.0f} ms per training step")
    if infer:
        forward = sum(p["ms"]["forward convolutions"] for p in infer) / len(infer)
        print(f"(an inference pass's convolutions: {forward:.0f} ms)")


if __name__ == "__main__":
    main()
