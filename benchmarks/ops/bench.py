#!/usr/bin/env python3
"""labmake's ops against PyTorch's, interleaved in one run.

    python3 benchmarks/ops/bench.py --labmake .build/release/labmake --python /path/to/venv/bin/python --rounds 3

Each round runs `labmake bench ops --json` and bench_torch_ops.py once each (alternating which goes
first); each figure is the median over rounds of each tool's per-round median. Ratios are PyTorch's
time over labmake's: above 1 means labmake is faster.
"""
import argparse, json, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {row["name"]: row for row in json.loads(out)["ops"]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--python", default=sys.executable, help="a Python with torch installed")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--format", default="nchw", choices=["nchw", "cl"], help="PyTorch's memory format")
    ap.add_argument("--json", help="write the medians here")
    args = ap.parse_args()
    ours_cmd = [args.labmake, "bench", "ops", "--json", "--reps", str(args.reps), "--threads", str(args.threads)]
    torch_cmd = [args.python, os.path.join(HERE, "bench_torch_ops.py"), "--reps", str(args.reps),
                 "--threads", str(args.threads), "--format", args.format]
    ours, theirs = [], []
    for r in range(args.rounds):
        pair = [(ours, ours_cmd), (theirs, torch_cmd)]
        for sink, cmd in (pair if r % 2 == 0 else reversed(pair)):
            sink.append(run(cmd))
            print(f"round {r + 1}/{args.rounds}: {'labmake' if sink is ours else 'pytorch'} done", file=sys.stderr)

    def med(runs, name, key):
        return statistics.median(run[name][key] for run in runs)

    names = list(ours[0])
    rows = []
    print(f"threads {args.threads}, PyTorch format {args.format}, {args.rounds} interleaved rounds; ms, median\n")
    print(f"| op | labmake fwd | PyTorch fwd | labmake bwd | PyTorch bwd | fwd+bwd ratio (PyTorch / labmake) |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in names:
        lf, lb = med(ours, name, "forward_ms"), med(ours, name, "backward_ms")
        tf, tb = med(theirs, name, "forward_ms"), med(theirs, name, "backward_ms")
        ratio = (tf + tb) / (lf + lb) if lf + lb > 0 else float("nan")
        rows.append({"name": name, "labmake": [lf, lb], "pytorch": [tf, tb], "ratio": ratio})
        print(f"| {name} | {lf:.2f} | {tf:.2f} | {lb:.2f} | {tb:.2f} | {ratio:.2f}× |")
    convs = [r for r in rows if r["name"].startswith("resnet20.conv")]
    ours_total = sum(sum(r["labmake"]) for r in convs)
    torch_total = sum(sum(r["pytorch"]) for r in convs)
    print(f"\nResNet-20 convolutions, forward + backward, summed: labmake {ours_total:.1f} ms, "
          f"PyTorch {torch_total:.1f} ms, ratio {torch_total / ours_total:.2f}×")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "resnet20_conv_ms": {"labmake": ours_total, "pytorch": torch_total}}, f, indent=1)


if __name__ == "__main__":
    main()
