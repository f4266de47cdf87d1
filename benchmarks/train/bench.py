#!/usr/bin/env python3
"""labmake's training speed and memory against PyTorch's, interleaved in one run.

    python3 benchmarks/train/bench.py --python /path/to/venv/bin/python --model resnet20 --rounds 3

Each round runs `labmake bench train --json` and ../shared/bench/train/bench_torch.py (NCHW and
channels_last), the order alternating. Figures are medians over rounds of each run's median step;
ratios are labmake's images/s over PyTorch's (above 1, labmake is faster). Peak memory is each
process's maximum resident set size while training (torch_peak_memory.py for PyTorch).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TORCH = os.path.join(HERE, "bench_torch_models.py")  # ../shared/bench/train/bench_torch.py and the models it lacks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--python", default=sys.executable, help="a Python with torch installed")
    ap.add_argument("--bench-torch", default=TORCH)
    ap.add_argument("--model", default="resnet20")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()

    ours, theirs = [], {"nchw": [], "cl": []}
    for r in range(args.rounds):
        def run_ours():
            out = subprocess.run([args.labmake, "bench", "train", "--model", args.model, "--batch", str(args.batch),
                                  "--steps", str(args.steps), "--json"], check=True, capture_output=True, text=True).stdout
            ours.append(json.loads(out))

        def run_torch():
            with tempfile.NamedTemporaryFile(suffix=".json") as f:
                subprocess.run([args.python, args.bench_torch, "--models", args.model, "--formats", "nchw,cl",
                                "--steps", str(args.steps), "--max-seconds", "30", "--json", f.name],
                               check=True, capture_output=True, text=True)
                for row in json.load(open(f.name))["rows"]:
                    if row["batch"] == args.batch:
                        theirs[row["fmt"]].append(row)

        for step in ([run_ours, run_torch] if r % 2 == 0 else [run_torch, run_ours]):
            step()
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    memory = {}
    for fmt in ("nchw", "cl"):
        out = subprocess.run([args.python, os.path.join(HERE, "torch_peak_memory.py"), "--bench-torch", args.bench_torch,
                              "--model", args.model, "--batch", str(args.batch), "--format", fmt],
                             check=True, capture_output=True, text=True).stdout
        memory[fmt] = json.loads(out)

    lm_train = statistics.median(o["train_images_per_second"] for o in ours)
    lm_infer = statistics.median(o["infer_images_per_second"] for o in ours)
    lm_mem = statistics.median(o["peak_rss_mib"] for o in ours)
    print(f"{args.model}, batch {args.batch}, {ours[0]['threads']} threads, {args.rounds} interleaved rounds\n")
    print("| | training img/s | inference img/s | peak RSS MiB | training ratio (labmake / PyTorch) |")
    print("|---|---:|---:|---:|---:|")
    print(f"| labmake ({ours[0]['device']}) | {lm_train:.0f} | {lm_infer:.0f} | {lm_mem:.0f} | |")
    for fmt, label in (("nchw", "PyTorch NCHW"), ("cl", "PyTorch channels_last")):
        rows = theirs[fmt]
        t = statistics.median(r["train_ips"] for r in rows)
        i = statistics.median(r["infer_ips"] for r in rows)
        print(f"| {label} | {t:.0f} | {i:.0f} | {memory[fmt]['peak_rss_mib']:.0f} "
              f"(of which {memory[fmt]['after_import_mib']:.0f} after import) | {lm_train / t:.2f}× |")


if __name__ == "__main__":
    main()
