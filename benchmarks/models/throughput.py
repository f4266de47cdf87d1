#!/usr/bin/env python3
"""Training and inference images/s of torchvision's models in labmake and in PyTorch, interleaved, same run.

Each model is built as labmake builds it (reference_counts.py's `cifar`: torchvision's model with the CIFAR
stem) on random 3x32x32 images; a training step is forward, backward and SGD (lr 0.05, momentum 0.9, weight
decay 5e-4), as `labmake bench train` times it. PyTorch runs in NCHW and channels_last with the same thread
count. Figures are medians of each run's timed steps; ratios are labmake's images/s over PyTorch's.

    python3 benchmarks/models/throughput.py --python /path/to/venv/bin/python [--models resnet50,vgg16] [--batch 32]
"""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = ["resnet18", "resnet50", "resnext50_32x4d", "vgg16", "vgg16_bn", "densenet121", "squeezenet1_1",
         "shufflenet_v2_x1_0", "mobilenet_v2", "mnasnet1_0"]

TORCH = r'''
import json, sys, time
sys.path.insert(0, sys.argv[1])
import torch
from reference_counts import cifar
name, batch, steps, warmup, fmt, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
torch.set_num_threads(threads); torch.manual_seed(0)
model = cifar(name)
x = torch.randn(batch, 3, 32, 32); y = torch.randint(0, 10, (batch,))
if fmt == "cl":
    model = model.to(memory_format=torch.channels_last); x = x.to(memory_format=torch.channels_last)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
def train():
    opt.zero_grad(); torch.nn.functional.cross_entropy(model(x), y).backward(); opt.step()
def infer():
    with torch.no_grad(): model(x)
def timed(step):
    for _ in range(warmup): step()
    times = []
    for _ in range(steps):
        t = time.perf_counter(); step(); times.append(time.perf_counter() - t)
    return batch / sorted(times)[len(times) // 2]
model.train(); t = timed(train)
model.eval(); i = timed(infer)
print(json.dumps({"train": t, "infer": i}))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--python", default=sys.executable, help="a Python with torch and torchvision")
    ap.add_argument("--models", default=",".join(NAMES))
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    print(f"batch {args.batch}, {args.threads} threads, {args.steps} timed steps after {args.warmup}, {args.rounds} interleaved round(s), medians\n")
    print("| model | labmake train img/s | PyTorch NCHW | PyTorch channels_last | ratio to the better | labmake infer img/s | PyTorch infer (better) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in args.models.split(","):
        ours, theirs = [], {"nchw": [], "cl": []}
        for r in range(args.rounds):
            def run_ours():
                out = subprocess.run([args.labmake, "bench", "train", "--model", name, "--batch", str(args.batch), "--steps", str(args.steps),
                                      "--warmup", str(args.warmup), "--threads", str(args.threads), "--device", "cpu", "--json"],
                                     check=True, capture_output=True, text=True).stdout
                o = json.loads(out)
                ours.append((o["train_images_per_second"], o["infer_images_per_second"]))

            def run_torch():
                for fmt in ("nchw", "cl"):
                    out = subprocess.run([args.python, "-c", TORCH, HERE, name, str(args.batch), str(args.steps), str(args.warmup), fmt,
                                          str(args.threads)], check=True, capture_output=True, text=True).stdout
                    o = json.loads(out)
                    theirs[fmt].append((o["train"], o["infer"]))

            for step in ([run_ours, run_torch] if r % 2 == 0 else [run_torch, run_ours]):
                step()
        lt, li = statistics.median(t for t, _ in ours), statistics.median(i for _, i in ours)
        nt, ct = (statistics.median(t for t, _ in theirs[f]) for f in ("nchw", "cl"))
        bi = max(statistics.median(i for _, i in theirs[f]) for f in ("nchw", "cl"))
        print(f"| {name} | {lt:.1f} | {nt:.1f} | {ct:.1f} | {lt / max(nt, ct):.2f}× | {li:.1f} | {bi:.1f} |", flush=True)


if __name__ == "__main__":
    main()
