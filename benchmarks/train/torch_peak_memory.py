#!/usr/bin/env python3
"""Peak resident memory of PyTorch training a model for a few steps (SGD, batch B), measured as
labmake bench train measures its own: the process's maximum resident set size. Uses the model
definitions of ../shared/bench/train/bench_torch.py."""
import argparse, importlib.util, json, os, resource, sys

ap = argparse.ArgumentParser()
ap.add_argument("--bench-torch", required=True, help="path to bench_torch.py")
ap.add_argument("--model", default="resnet20")
ap.add_argument("--batch", type=int, default=128)
ap.add_argument("--format", default="nchw", choices=["nchw", "cl"])
ap.add_argument("--steps", type=int, default=5)
args = ap.parse_args()

sys.argv = [sys.argv[0]]
spec = importlib.util.spec_from_file_location("bench_torch", args.bench_torch)
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
import torch
import torch.nn.functional as F

after_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
torch.manual_seed(0)
model, _ = bench.build(args.model)
x, y = torch.randn(args.batch, 3, 32, 32), torch.randint(0, 10, (args.batch,))
if args.format == "cl":
    model = model.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
for _ in range(args.steps):
    opt.zero_grad(set_to_none=True)
    F.cross_entropy(model(x), y).backward()
    opt.step()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"peak_rss_mib": peak / 1024, "after_import_mib": after_import / 1024, "format": args.format}))
