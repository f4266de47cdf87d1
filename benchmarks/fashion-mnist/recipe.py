#!/usr/bin/env python3
"""The FashionMNIST tutorial's baseline recipe in labmake and in PyTorch, on the same IDX files, same run.

The recipe (NNI's HPO quickstart): an MLP 28x28 -> 128 -> ReLU -> 128 -> ReLU -> 10, SGD with lr 0.001 and
momentum 0.5, batch 32, 10 epochs, pixels scaled to [0, 1] (ToTensor), shuffled each epoch, scored on the test
images. Each seed trains once in each framework, alternating which goes first; the table gives each run's
final test accuracy, the mean and spread of each, and the difference of the means against the seed noise;
seconds are each process's wall time (start, reading the files, training, scoring).

    python3 benchmarks/fashion-mnist/recipe.py --python /path/to/venv/bin/python --data /folder/with/the/four/files
    python3 benchmarks/fashion-mnist/recipe.py --python ... --digits     # no FashionMNIST here: the shared digits, packed as IDX

--set NAME=VALUE changes the recipe on both sides (hidden_size1, hidden_size2, lr, momentum, batch_size, epochs).
"""
import argparse, gzip, json, os, statistics, struct, subprocess, sys, tarfile, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "datasets", "digits-cifar10-binary.tar.gz"))
FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
RECIPE = {"hidden_size1": 128, "hidden_size2": 128, "lr": 0.001, "momentum": 0.5, "batch_size": 32, "epochs": 10}

TORCH = r'''
import gzip, json, struct, sys, time
import numpy as np, torch, torch.nn as nn
folder, seed, recipe = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
torch.manual_seed(seed); torch.set_num_threads(2)
def idx(name):
    data = gzip.open(folder + "/" + name).read()
    rank = data[3]; dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * rank).reshape(dims)
xs = [torch.tensor(idx(n).astype(np.float32) / 255).reshape(-1, 784) for n in ("train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz")]
ys = [torch.tensor(idx(n).astype(np.int64)) for n in ("train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz")]
model = nn.Sequential(nn.Linear(784, recipe["hidden_size1"]), nn.ReLU(), nn.Linear(recipe["hidden_size1"], recipe["hidden_size2"]), nn.ReLU(),
                      nn.Linear(recipe["hidden_size2"], 10))
opt = torch.optim.SGD(model.parameters(), lr=recipe["lr"], momentum=recipe["momentum"])
start = time.time()
for epoch in range(recipe["epochs"]):
    order = torch.randperm(len(ys[0]))
    for i in range(0, len(order), recipe["batch_size"]):
        batch = order[i:i + recipe["batch_size"]]
        opt.zero_grad(); nn.functional.cross_entropy(model(xs[0][batch]), ys[0][batch]).backward(); opt.step()
with torch.no_grad():
    accuracy = (model(xs[1]).argmax(1) == ys[1]).float().mean().item()
print(json.dumps({"accuracy": accuracy, "seconds": time.time() - start}))
'''


def pack_digits(folder):
    """The shared digits as IDX: each image's ink plane cropped to 28x28 (as the end-to-end tests pack them)."""
    train, test = [], []
    with tarfile.open(DIGITS) as archive:
        for member in archive.getmembers():
            if not member.name.endswith(".bin"):
                continue
            data = archive.extractfile(member).read()
            for r in range(len(data) // 3073):
                record = data[r * 3073:(r + 1) * 3073]
                red = record[1:1025]
                image = b"".join(red[y * 32 + 2:y * 32 + 30] for y in range(2, 30))
                (test if member.name.endswith("test_batch.bin") else train).append((record[0], image))
    for prefix, rows in (("train", train), ("t10k", test)):
        with gzip.open(f"{folder}/{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, len(rows), 28, 28) + b"".join(i for _, i in rows))
        with gzip.open(f"{folder}/{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(struct.pack(">BBBBI", 0, 0, 8, 1, len(rows)) + bytes(l for l, _ in rows))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--python", default=sys.executable, help="a Python with torch and numpy")
    ap.add_argument("--data", help="a folder holding the four IDX files")
    ap.add_argument("--digits", action="store_true", help="use the shared digits, packed as IDX")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = ap.parse_args()
    recipe = dict(RECIPE)
    for item in args.set:
        name, value = item.split("=", 1)
        recipe[name] = type(RECIPE[name])(value)
    scratch = tempfile.mkdtemp(prefix="labmake-recipe-")
    data = args.data
    if args.digits:
        data = scratch + "/digits"
        os.makedirs(data)
        pack_digits(data)
    if not data or not all(os.path.exists(os.path.join(data, f)) for f in FILES):
        sys.exit("give --data FOLDER with " + ", ".join(FILES) + " (or --digits)")

    results = {"labmake": [], "PyTorch": []}
    for seed in range(args.seeds):
        def ours():
            out = f"{scratch}/run-{seed}"
            settings = ["model=mlp", "optimizer=sgd", "schedule=constant", "weight_decay=0", "augment=false", "normalize=false",
                        f"seed={seed}"] + [f"{k}={v}" for k, v in recipe.items() if k != "epochs"]
            command = [args.labmake, "train", "--data", data, "--epochs", str(recipe["epochs"]), "--out", out]
            for s in settings:
                command += ["--set", s]
            start = time.time()
            subprocess.run(command, check=True, capture_output=True, text=True)
            metrics = json.load(open(out + "/metrics.json"))
            results["labmake"].append((metrics["final_accuracy"], time.time() - start))

        def theirs():
            start = time.time()
            out = subprocess.run([args.python, "-c", TORCH, data, str(seed), json.dumps(recipe)], check=True, capture_output=True, text=True).stdout
            results["PyTorch"].append((json.loads(out)["accuracy"], time.time() - start))

        for step in ([ours, theirs] if seed % 2 == 0 else [theirs, ours]):
            step()
        print(f"seed {seed + 1}/{args.seeds} done", file=sys.stderr)

    print(f"recipe {json.dumps(recipe)}, data {data}, {args.seeds} seeds\n")
    print("| | test accuracy per seed | mean | std | seconds (median) |")
    print("|---|---|---:|---:|---:|")
    for name, rows in results.items():
        accuracies = [a for a, _ in rows]
        print(f"| {name} | {', '.join(f'{a:.4f}' for a in accuracies)} | {statistics.mean(accuracies):.4f} | "
              f"{statistics.stdev(accuracies) if len(accuracies) > 1 else 0:.4f} | {statistics.median(s for _, s in rows):.1f} |")
    a = [x for x, _ in results["labmake"]]
    b = [x for x, _ in results["PyTorch"]]
    noise = max(statistics.stdev(a) if len(a) > 1 else 0, statistics.stdev(b) if len(b) > 1 else 0)
    print(f"\ndifference of means (labmake − PyTorch): {statistics.mean(a) - statistics.mean(b):+.4f}; larger seed spread: {noise:.4f}")


if __name__ == "__main__":
    main()
