#!/usr/bin/env python3
"""labmake's Slurm executor against its local one, on the same 20-trial experiment, same session.

Brings up the single-node test cluster (scripts/slurm-test-cluster up: root), then, alternating, runs a
tune stage of --trials command trials (`trial.py`: prints one metric line after --work seconds) with
`executor: local` and with `executor: slurm`, in fresh workspaces, and reports:

- wall time per run and the overhead per trial of Slurm over local (medians over --repeats);
- submission-to-start latency: from each job's submission record (job.json, written when sbatch returns)
  to the first line of its batch script (started-0.json);
- controller calls: each Slurm command the run made (counted by shims put first on PATH), and squeue
  calls per poll round (labmake's poller makes one per round for all of a stage's jobs).

    python3 benchmarks/slurm/overhead.py --labmake .build/release/labmake [--trials 20] [--concurrency 4] [--repeats 3]
"""
import argparse, json, os, pathlib, shutil, statistics, subprocess, sys, tempfile, time

ROOT = pathlib.Path(__file__).resolve().parents[2]
TRIAL = """import json, os, time
p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
time.sleep(float(os.environ.get("WORK", "0")))
print(json.dumps({"default": float(p["x"])}))
"""
COMMANDS = ["sbatch", "squeue", "scontrol", "scancel", "sacct"]


def pipeline(executor, trials, concurrency, poll):
    return f"""settings: {{ seed: 1, executor: {executor}, slurm: {{ poll_interval: {poll} }} }}
stages:
  tune:
    uses: tune
    with:
      search_space: {{ x: {{ _type: choice, _value: {list(range(trials))} }} }}
      tuner: grid
      trial_command: python3 trial.py
      max_trials: {trials}
      concurrency: {concurrency}
"""


def shims(folder, log):
    """Shims that log each Slurm command to `log`, then run the real one."""
    folder.mkdir()
    for name in COMMANDS:
        real = shutil.which(name)
        if not real:
            continue
        shim = folder / name
        shim.write_text(f"#!/bin/sh\necho {name} >> {log}\nexec {real} \"$@\"\n")
        shim.chmod(0o755)


def run(labmake, executor, args, env):
    work = pathlib.Path(tempfile.mkdtemp(prefix="labmake-slurm-bench-"))
    (work / "labmake.yaml").write_text(pipeline(executor, args.trials, args.concurrency, args.poll))
    (work / "trial.py").write_text(TRIAL)
    log = work / "calls.log"
    log.touch()
    shims(work / "shims", log)
    env = dict(env, PATH=f"{work / 'shims'}:{env['PATH']}", WORK=str(args.work))
    start = time.monotonic()
    done = subprocess.run([labmake, "run"], cwd=work, env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"labmake run ({executor}) failed: {done.stderr}")
    calls = {}
    for line in log.read_text().split():
        calls[line] = calls.get(line, 0) + 1
    latencies = []
    for record in work.glob(".labmake/**/trial-*/job.json"):
        started = record.parent / "started-0.json"
        if started.exists():
            latencies.append(json.loads(started.read_text())["time"] - record.stat().st_mtime)
    shutil.rmtree(work)
    return wall, calls, latencies


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--labmake", required=True)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--work", type=float, default=1.0, help="seconds each trial works")
    parser.add_argument("--poll", type=float, default=15, help="slurm.poll_interval")
    args = parser.parse_args()
    labmake = str(pathlib.Path(args.labmake).resolve())
    up = subprocess.run([str(ROOT / "scripts/slurm-test-cluster"), "up"], capture_output=True, text=True)
    if up.returncode != 0:
        sys.exit(f"the test cluster did not come up: {up.stderr}")
    env = dict(os.environ, SLURM_CONF=up.stdout.strip().split("=", 1)[1])
    walls = {"local": [], "slurm": []}
    latencies, calls = [], []
    for _ in range(args.repeats):
        for executor in ("local", "slurm"):
            wall, made, waited = run(labmake, executor, args, env)
            walls[executor].append(wall)
            if executor == "slurm":
                latencies += waited
                calls.append(made)
    local, slurm = statistics.median(walls["local"]), statistics.median(walls["slurm"])
    print(f"{args.trials} trials of {args.work:g} s, concurrency {args.concurrency}, poll_interval {args.poll:g} s, {args.repeats} runs each")
    print(f"local: {local:.2f} s (median; runs {', '.join(f'{w:.2f}' for w in walls['local'])})")
    print(f"slurm: {slurm:.2f} s (median; runs {', '.join(f'{w:.2f}' for w in walls['slurm'])})")
    print(f"overhead per trial: {(slurm - local) / args.trials:.3f} s")
    q = statistics.quantiles(latencies, n=10) if len(latencies) >= 2 else latencies
    print(f"submission to start: median {statistics.median(latencies):.3f} s, p90 {q[-1]:.3f} s, max {max(latencies):.3f} s ({len(latencies)} jobs)")
    for made, wall in zip(calls, walls["slurm"]):
        rounds = wall / args.poll
        print(f"controller calls: {dict(sorted(made.items()))}; squeue per {args.poll:g}-s round: {made.get('squeue', 0) / max(rounds, 1):.2f} over {wall:.1f} s")


if __name__ == "__main__":
    main()
