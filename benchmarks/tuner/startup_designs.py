#!/usr/bin/env python3
"""How good are a tuner's first trials? The median regret of the best of N start-up points over many
seeds, for independent draws and for Latin-hypercube designs, on the shared tuner objectives and the
held-out ones. labmake's start-up design (Sources/Tuner/Samplers/SpaceFillingDesign.swift) was chosen
with it.

    python3 benchmarks/tuner/startup_designs.py 5 400
    python3 benchmarks/tuner/startup_designs.py 10 400

Designs: random (independent draws); lhs (one point at a random place in each of N slices of every
range: labmake's); clhs (the same at the slices' centres); maximin and cmaximin (the most spread-out
of 32 lhs / clhs designs).
"""
import math
import os
import random
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "shared", "bench", "tuner"))
sys.path.insert(0, HERE)
import objectives as O  # noqa: E402
import held_out_objectives  # noqa: E402,F401  (registers the held-out objectives)

NAMES = "branin,hartmann6,rosenbrock4,mixed5,hartmann3,ackley4,styblinski5,cnnlab".split(",")
KINDS = ["random", "lhs", "clhs", "maximin", "cmaximin"]


def value(spec, u):
    """NNI's value at probability u of a parameter's range."""
    t, v = spec["_type"], spec["_value"]
    if t == "choice":
        return v[min(int(u * len(v)), len(v) - 1)]
    if t == "randint":
        return min(int(v[0] + u * (v[1] - v[0])), v[1] - 1)
    if t == "uniform":
        return v[0] + u * (v[1] - v[0])
    if t == "quniform":
        return min(max(round((v[0] + u * (v[1] - v[0])) / v[2]) * v[2], v[0]), v[1])
    if t == "loguniform":
        return math.exp(math.log(v[0]) + u * (math.log(v[1]) - math.log(v[0])))
    raise ValueError(t)


def latin(n, d, rng, centred):
    columns = []
    for _ in range(d):
        slices = list(range(n))
        rng.shuffle(slices)
        columns.append([(k + (0.5 if centred else rng.random())) / n for k in slices])
    return [[columns[j][i] for j in range(d)] for i in range(n)]


def closest_pair(points):
    return min((sum((a - b) ** 2 for a, b in zip(p, q)) for i, p in enumerate(points) for q in points[i + 1:]), default=0)


def design(kind, n, d, rng):
    if kind == "random":
        return [[rng.random() for _ in range(d)] for _ in range(n)]
    if kind in ("lhs", "clhs"):
        return latin(n, d, rng, kind == "clhs")
    return max((latin(n, d, rng, kind == "cmaximin") for _ in range(32)), key=closest_pair)


def main():
    n, seeds = int(sys.argv[1]), int(sys.argv[2])
    print(f"best of {n} start-up points: median regret over {seeds} seeds")
    print("| objective | " + " | ".join(KINDS) + " |")
    print("|---|" + "---:|" * len(KINDS))
    for name in NAMES:
        objective = O.OBJECTIVES[name]
        keys = list(objective["space"])
        row = []
        for kind in KINDS:
            regrets = []
            for seed in range(seeds):
                rng = random.Random(seed * 7919 + 13)
                best = min(O.evaluate(name, {k: value(objective["space"][k], u[j]) for j, k in enumerate(keys)})
                           for u in design(kind, n, len(keys), rng))
                regrets.append(abs(best - objective["optimum"]))
            row.append(statistics.median(regrets))
        print(f"| {name} | " + " | ".join(f"{r:.4g}" for r in row) + " |")


if __name__ == "__main__":
    main()
