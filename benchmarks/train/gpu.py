#!/usr/bin/env python3
"""labmake on Vulkan against PyTorch CUDA on the same GPU, in one go (issue 22's measurement).

Meant for a lent GPU machine where nothing is built: carry a release build (`swift build -c release
--product labmake`) and run, from the repository root,

    python3 benchmarks/train/gpu.py --labmake .build/release/labmake --out $OUT/gpu.json

For each model (ResNet-20 and ResNet-18 by default, batch 128) and round, it runs `labmake bench train
--device vulkan --json` and then times the same model (../shared/bench/train/bench_torch.py's definitions)
with PyTorch on CUDA: SGD lr 0.05, momentum 0.9, weight decay 5e-4, random data already on the GPU, NCHW
and channels_last, synchronised before the clock stops. labmake runs once per --large-tiles setting
(where-busy, its default; never and always: whether and where 128 × 128 tiles pay on this GPU). Prints images/s and
labmake / PyTorch per model (the best PyTorch layout), the medians over rounds; --out writes every run as
JSON.
--torch-device cpu runs the same code on the CPU (to check the script without a GPU).
"""
import argparse, json, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def labmake_run(labmake, model, batch, steps, warmup, device, large_tiles):
    tiles = ["--large-tiles", large_tiles] if device.startswith("vulkan") else []
    out = subprocess.run([labmake, "bench", "train", "--device", device, "--model", model, "--batch", str(batch),
                          "--steps", str(steps), "--warmup", str(warmup), "--json", *tiles], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"labmake bench train failed ({out.returncode}):\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def torch_run(model_name, batch, steps, warmup, device, channels_last):
    import torch
    import torch.nn as nn
    from bench_torch_models import build

    built = build(model_name)
    model = (built[0] if isinstance(built, tuple) else built).to(device)
    memory = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=memory)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    images = torch.randn(batch, 3, 32, 32, device=device).contiguous(memory_format=memory)
    labels = torch.randint(0, 10, (batch,), device=device)
    loss_fn = nn.CrossEntropyLoss()
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        return loss

    def timed(fn):
        for _ in range(warmup):
            fn()
        sync()
        start = time.perf_counter()
        for _ in range(steps):
            fn()
        sync()
        return (time.perf_counter() - start) / steps

    model.train()
    train = timed(step)
    model.eval()
    with torch.no_grad():
        infer = timed(lambda: model(images))
    return {"train_images_per_second": batch / train, "infer_images_per_second": batch / infer,
            "peak_gpu_mib": torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--models", default="resnet20,resnet18")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--device", default="vulkan", help="labmake's device (default: vulkan)")
    ap.add_argument("--torch-device", default="cuda")
    ap.add_argument("--large-tiles", default="where-busy,never,always",
                    help="labmake's --large-tiles settings to run, each a row (default: where-busy,never,always)")
    ap.add_argument("--out")
    args = ap.parse_args()
    import torch
    if args.torch_device == "cuda" and not torch.cuda.is_available():
        raise SystemExit("PyTorch sees no CUDA device; on a machine without a GPU, --torch-device cpu checks the script")
    runs = []
    ours_tools = ["labmake-" + tiles for tiles in args.large_tiles.split(",")]
    for model in args.models.split(","):
        for round_ in range(args.rounds):
            for tool in ours_tools:
                ours = labmake_run(args.labmake, model, args.batch, args.steps, args.warmup, args.device, tool[len("labmake-"):])
                runs.append({"model": model, "round": round_, "tool": tool, **ours})
            for cl in (False, True):
                theirs = torch_run(model, args.batch, args.steps, args.warmup, args.torch_device, cl)
                runs.append({"model": model, "round": round_, "tool": "pytorch-" + ("channels_last" if cl else "nchw"), **theirs})
            print(json.dumps(runs[-(len(ours_tools) + 2):]), flush=True)
    print(f"\nbatch {args.batch}, {args.steps} timed steps, medians of {args.rounds} rounds; labmake on {args.device}, PyTorch "
          f"{torch.__version__} on {args.torch_device}" + (f" ({torch.cuda.get_device_name()})" if args.torch_device == "cuda" else ""))
    print("| model | tool | train img/s | infer img/s | labmake / best PyTorch (train) |")
    print("|---|---|---:|---:|---:|")
    for model in args.models.split(","):
        medians = {}
        for tool in (*ours_tools, "pytorch-nchw", "pytorch-channels_last"):
            mine = [r for r in runs if r["model"] == model and r["tool"] == tool]
            medians[tool] = (statistics.median(r["train_images_per_second"] for r in mine),
                             statistics.median(r["infer_images_per_second"] for r in mine))
        best = max(medians["pytorch-nchw"][0], medians["pytorch-channels_last"][0])
        for tool, (train, infer) in medians.items():
            ratio = f"{train / best:.2f}×" if tool.startswith("labmake") else ""
            print(f"| {model} | {tool} | {train:.0f} | {infer:.0f} | {ratio} |")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(runs, f, indent=1)


if __name__ == "__main__":
    main()
