#!/usr/bin/env python3
"""Multi-fidelity tuners against each other on surrogates with an epoch budget, counted in epochs spent.

Each objective is a learning curve: the error after e of at most R epochs is

    err(p, e) = final(p) + A(p) * (e^-k(p) - R^-k(p)) + noise

so that at R epochs it is the objective's own value, and the ranking at few epochs disagrees with
the final one: a large learning rate converges fast (large k) to a worse end, strong augmentation and
dropout start slow (large A) and end better. Noise: normal, sd 0.003 (cnnlab) or 0.02 (hartmann6)
times sqrt(R/e), seeded by the run's seed, the configuration and e.

    cnnlab-curves     the held-out CIFAR-lab space (benchmarks/tuner/held_out_objectives.py), f* = 0.07
    hartmann6-curves  the shared benchmark's hartmann6, where x1 sets the speed; f* = -3.32237

Tuners (each run until it has spent the largest epoch budget; the incumbent at a budget E is the best
trial at the largest budget reached among the trials that ended within E epochs, and its regret is
the noise-free final value of its configuration minus f*):

    labmake-hyperband, labmake-bohb   labmake tune --tuner hyperband|bohb --max-budget R (a trial at
                                      budget b trains b epochs from scratch, as NNI's do)
    labmake-gp, labmake-tpe           labmake's tuners with every trial at R epochs (the reference:
                                      what multi-fidelity must beat)
    labmake-tpe-asha                  labmake's TPE with the asha assessor: each trial a command that
                                      reports a result per epoch and is stopped at a rung of its bracket
                                      (from 1, 3 or 9 epochs) unless among the best third there
    nni-hyperband, nni-bohb           NNI 3.0's advisors, driven in this process through their
                                      message handlers (R and eta as labmake's)
    optuna-hyperband                  Optuna 5's TPE sampler with its HyperbandPruner (min_resource 1,
                                      max_resource R, reduction_factor 3): a trial trains on epoch by
                                      epoch and stops when pruned, so it spends only the epochs it ran

usage: multi_fidelity.py run --labmake PATH [--seeds 50] [--seed-start 2000] [--budgets 10,20,50]
                             [--objectives cnnlab-curves,hartmann6-curves] [--tuners …] [--out results.jsonl]
       multi_fidelity.py summary results.jsonl [--budgets 10,20,50]
       multi_fidelity.py serve --objective NAME --noise-seed S     (the trial server labmake runs)
Budgets are in units of R epochs (10 = ten full trainings' worth). Needs optuna==5.0.0, nni==3.0,
ConfigSpace and statsmodels (NNI's BOHB), scipy.
"""
import hashlib
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# NNI's advisors connect to NNI's manager when made, except under NNI's own unit-test channel name.
os.environ.setdefault("NNI_TUNER_COMMAND_CHANNEL", "ws://_unittest_placeholder_")
sys.path.insert(0, os.path.join(HERE, "../../../shared/bench/tuner"))
sys.path.insert(0, HERE)
import held_out_objectives as H  # noqa: E402
from objectives import OBJECTIVES  # noqa: E402

R = 27
ETA = 3


def _noise(seed, params, epochs, sd):
    digest = hashlib.sha256(f"{seed}|{json.dumps(params, sort_keys=True)}|{epochs}".encode()).digest()
    return random.Random(digest).gauss(0, sd) * math.sqrt(R / epochs)


def _cnn_curve(p):
    opt = str(p["optimizer"])
    lr_best = H.LR_BEST[opt] * (int(p["batch_size"]) / 128 if opt == "sgd" else 1)
    speed = 0.5 + 0.6 / (1 + math.exp(-2 * (math.log10(float(p["lr"])) - math.log10(lr_best))))
    slow = 0.4 + (0.15 if str(p["augment"]) in ("flip+crop", "cutout") else 0) + 0.4 * float(p["dropout"])
    return slow, speed


def _hartmann_curve(p):
    return 1.5 + 2.0 * float(p["x2"]), 0.4 + 0.8 * float(p["x1"])


CURVES = {
    "cnnlab-curves": {"base": H.OBJECTIVES["cnnlab"], "curve": _cnn_curve, "sd": 0.003},
    "hartmann6-curves": {"base": OBJECTIVES["hartmann6"], "curve": _hartmann_curve, "sd": 0.02},
}


def error(objective, params, epochs, seed=None):
    """The objective after `epochs` epochs; noise-free without a seed."""
    spec = CURVES[objective]
    p = {k: v for k, v in params.items() if k != "TRIAL_BUDGET"}
    final = spec["base"]["fn"](p)
    slow, speed = spec["curve"](p)
    value = final + slow * (epochs ** -speed - R ** -speed)
    return value if seed is None else value + _noise(seed, p, epochs, spec["sd"])


def optimum(objective):
    return CURVES[objective]["base"]["optimum"]


# --- the runs: each returns trials in the order they ended, as (params, epochs spent, budget reached, value)


def run_labmake_asha(labmake, tuner, objective, seed, max_epochs, workdir):
    """labmake's tuner with every trial a command that trains up to R epochs, one result per epoch, and
    the asha assessor stopping it at its rungs; the epochs a trial spent are the results it reported."""
    import shlex
    import subprocess
    space = os.path.join(workdir, f"{objective}.json")
    with open(space, "w") as f:
        json.dump(CURVES[objective]["base"]["space"], f)
    trial = (f"{shlex.quote(sys.executable)} -S {shlex.quote(os.path.abspath(__file__))} trial --objective {objective} "
             f"--noise-seed {seed}")
    cmd = [labmake, "tune", "--search-space", space, "--tuner", tuner, "--assessor", "asha", "--max-trials", str(max_epochs // 5 + 50),
           "--seed", str(seed), "--direction", "minimize", "--trial-command", trial, "--json", "--name", f"asha-{tuner}-{objective}-{seed}"]
    run = subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, text=True, timeout=3600)
    out = []
    for t in json.loads(run.stdout)["trials"]:
        if t["status"] == "SUCCEEDED":
            out.append((t["configuration"]["values"], R, R, float(t["metric"])))
        elif t["status"] == "EARLY_STOPPED":
            steps = len(t["intermediates"])
            out.append((t["configuration"]["values"], steps, steps, float(t["intermediates"][-1])))
        else:
            raise RuntimeError(f"trial {t['number']} {t['status']}: {t.get('error')}")
        if sum(x[1] for x in out) >= max_epochs:
            break
    return out


def run_labmake(labmake, tuner, objective, seed, max_epochs, workdir):
    import shlex
    import subprocess
    space = os.path.join(workdir, f"{objective}.json")
    with open(space, "w") as f:
        json.dump(CURVES[objective]["base"]["space"], f)
    log = os.path.join(workdir, f"{tuner}-{objective}-{seed}.jsonl")
    serve = f"{shlex.quote(sys.executable)} {shlex.quote(os.path.abspath(__file__))} serve --objective {objective} --noise-seed {seed}"
    multi = tuner in ("hyperband", "bohb")
    # Enough rounds of brackets to spend max_epochs (one round: 69 trials, 423 epochs at R = 27, eta = 3).
    s_max = round(math.log(R, ETA))
    rounds = [(math.ceil((s_max + 1) * ETA ** s / (s + 1)), s) for s in range(s_max + 1)]
    round_epochs = sum(n // ETA ** i * R // ETA ** (s - i) for n, s in rounds for i in range(s + 1))
    round_trials = sum(n // ETA ** i for n, s in rounds for i in range(s + 1))
    trials = (max_epochs // round_epochs + 2) * round_trials if multi else max_epochs // R
    cmd = [labmake, "tune", "--search-space", space, "--tuner", tuner, "--max-trials", str(trials), "--seed", str(seed),
           "--direction", "minimize", "--trial-server", serve, "--log", log, "--name", f"{tuner}-{objective}-{seed}"]
    if multi:
        cmd += ["--max-budget", str(R), "--eta", str(ETA)]
    subprocess.run(cmd, cwd=workdir, check=True, capture_output=True, text=True, timeout=3600)
    out = []
    with open(log) as f:
        for line in f:
            if not line.strip():
                continue
            entry = json.loads(line)
            params = entry["parameters"]
            if entry["value"] is None:
                raise RuntimeError(f"{log}: a trial failed: {line}")
            budget = int(params.get("TRIAL_BUDGET", R))
            out.append((params, budget, budget, float(entry["value"])))
            if sum(t[1] for t in out) >= max_epochs:
                break
    return out


class _Driver:
    """Runs an NNI advisor's message handlers as NNI's manager would, one trial at a time."""

    def __init__(self, advisor):
        self.advisor, self.sent = advisor, []
        advisor.send = lambda command, data: self.sent.append((command, data))
        advisor.is_created_in_previous_exp = lambda _: False

    def run(self, objective, seed, max_epochs):
        import nni
        from nni.runtime.tuner_command_channel import CommandType
        from nni.utils import MetricType
        out, job = [], 0
        while sum(t[1] for t in out) < max_epochs:
            self.sent.clear()
            self.advisor.handle_request_trial_jobs(1)
            jobs = [nni.load(d) for c, d in self.sent if c == CommandType.NewTrialJob]
            if not jobs:
                raise RuntimeError("the advisor proposed nothing")
            trial = jobs[0]
            params = dict(trial["parameters"])
            budget = params["TRIAL_BUDGET"]
            epochs = max(1, int(round(budget)))
            value = error(objective, params, epochs, seed)
            job += 1
            self.advisor.handle_report_metric_data({"parameter_id": trial["parameter_id"], "trial_job_id": f"j{job}", "type": MetricType.FINAL,
                                                   "sequence": 0, "value": nni.dump(value)})
            self.sent.clear()
            self.advisor.handle_trial_end({"trial_job_id": f"j{job}", "event": "SUCCEEDED",
                                           "hyper_params": nni.dump({"parameter_id": trial["parameter_id"], "parameters": trial["parameters"]})})
            out.append((params, epochs, epochs, value))
        return out


def run_nni(tuner, objective, seed, max_epochs):
    import numpy as np
    random.seed(seed)
    np.random.seed(seed)
    space = CURVES[objective]["base"]["space"]
    if tuner == "hyperband":
        from nni.algorithms.hpo.hyperband_advisor import Hyperband
        driver = _Driver(Hyperband(optimize_mode="minimize", R=R, eta=ETA))
        driver.advisor.handle_initialize(space)
        driver.advisor.random_state = np.random.RandomState(seed)
    else:
        from nni.algorithms.hpo.bohb_advisor.bohb_advisor import BOHB
        driver = _Driver(BOHB(optimize_mode="minimize", min_budget=1, max_budget=R, eta=ETA))
        driver.advisor.handle_initialize(space)
    return driver.run(objective, seed, max_epochs)


def run_optuna(objective, seed, max_epochs):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    space = CURVES[objective]["base"]["space"]
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.HyperbandPruner(min_resource=1, max_resource=R, reduction_factor=ETA))
    out = []

    def suggest(trial):
        p = {}
        for name, spec in space.items():
            t, v = spec["_type"], spec["_value"]
            if t == "choice":
                p[name] = trial.suggest_categorical(name, v)
            elif t == "loguniform":
                p[name] = trial.suggest_float(name, v[0], v[1], log=True)
            elif t == "uniform":
                p[name] = trial.suggest_float(name, v[0], v[1])
            elif t == "quniform":
                p[name] = trial.suggest_float(name, v[0], v[1], step=v[2])
            elif t == "randint":
                p[name] = trial.suggest_int(name, v[0], v[1] - 1)
            else:
                raise ValueError(t)
        return p

    while sum(t[1] for t in out) < max_epochs:
        trial = study.ask()
        p = suggest(trial)
        value, epochs, pruned = None, 0, False
        for e in range(1, R + 1):
            value, epochs = error(objective, p, e, seed), e
            trial.report(value, e)
            if trial.should_prune():
                pruned = True
                break
        study.tell(trial, state=optuna.trial.TrialState.PRUNED) if pruned else study.tell(trial, value)
        out.append((p, epochs, epochs, value))
    return out


def incumbent_regret(objective, trials, epoch_budget):
    spent, seen = 0, []
    for t in trials:
        spent += t[1]
        if spent > epoch_budget:
            break
        seen.append(t)
    if not seen:
        return None
    top = max(t[2] for t in seen)
    best = min((t for t in seen if t[2] == top), key=lambda t: t[3])
    return error(objective, best[0], R) - optimum(objective)


TUNERS = ["labmake-hyperband", "labmake-bohb", "labmake-tpe-asha", "labmake-gp", "labmake-tpe", "nni-hyperband", "nni-bohb",
          "optuna-hyperband"]


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    trial = sub.add_parser("trial")
    trial.add_argument("--objective", required=True)
    trial.add_argument("--noise-seed", type=int, required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--objective", required=True)
    serve.add_argument("--noise-seed", type=int, required=True)
    run = sub.add_parser("run")
    run.add_argument("--labmake")
    run.add_argument("--seeds", type=int, default=50)
    run.add_argument("--seed-start", type=int, default=2000)
    run.add_argument("--budgets", default="10,20,50")
    run.add_argument("--objectives", default=",".join(CURVES))
    run.add_argument("--tuners", default=",".join(TUNERS))
    run.add_argument("--out", default="multi-fidelity.jsonl")
    summary = sub.add_parser("summary")
    summary.add_argument("results")
    summary.add_argument("--budgets", default="10,20,50")
    a = ap.parse_args()

    if a.command == "serve":
        for line in sys.stdin:
            if line.strip():
                params = json.loads(line)
                epochs = int(params.get("TRIAL_BUDGET", R))
                print(json.dumps({"default": error(a.objective, params, epochs, a.noise_seed)}), flush=True)
        return

    if a.command == "trial":
        with open(os.environ["LABMAKE_TRIAL_PARAMETERS"]) as f:
            params = json.load(f)
        for epoch in range(1, R + 1):
            print(json.dumps({"default": error(a.objective, params, epoch, a.noise_seed)}), flush=True)
        return

    if a.command == "summary":
        return summarize(a.results, [int(b) for b in a.budgets.split(",")])

    import tempfile
    budgets = [int(b) for b in a.budgets.split(",")]
    max_epochs = max(budgets) * R
    with tempfile.TemporaryDirectory(prefix="mf-") as workdir, open(a.out, "a") as out:
        for objective in a.objectives.split(","):
            for tuner in a.tuners.split(","):
                for seed in range(a.seed_start, a.seed_start + a.seeds):
                    family, name = tuner.split("-", 1)
                    if family == "labmake" and name.endswith("-asha"):
                        trials = run_labmake_asha(a.labmake, name[:-5], objective, seed, max_epochs, workdir)
                    elif family == "labmake":
                        trials = run_labmake(a.labmake, name, objective, seed, max_epochs, workdir)
                    elif family == "nni":
                        trials = run_nni(name, objective, seed, max_epochs)
                    else:
                        trials = run_optuna(objective, seed, max_epochs)
                    regrets = {str(b): incumbent_regret(objective, trials, b * R) for b in budgets}
                    out.write(json.dumps({"objective": objective, "tuner": tuner, "seed": seed, "regret": regrets,
                                          "trials": len(trials), "epochs": sum(t[1] for t in trials)}) + "\n")
                    out.flush()
                print(f"{objective} {tuner}: done", file=sys.stderr)


def summarize(path, budgets):
    from statistics import median
    from scipy.stats import mannwhitneyu
    rows = [json.loads(x) for x in open(path) if x.strip()]
    for objective in sorted({r["objective"] for r in rows}):
        print(f"\n{objective}: median regret at an epoch budget of B full trainings (B·{R} epochs), seeds per tuner in brackets")
        tuners = sorted({r["tuner"] for r in rows if r["objective"] == objective})
        print("| tuner | " + " | ".join(f"B = {b}" for b in budgets) + " |")
        print("|---|" + "---:|" * len(budgets))
        data = {t: {b: [r["regret"][str(b)] for r in rows if r["objective"] == objective and r["tuner"] == t
                        and r["regret"][str(b)] is not None] for b in budgets} for t in tuners}
        for t in tuners:
            print(f"| {t} ({len(data[t][budgets[0]])}) | " + " | ".join(f"{median(data[t][b]):.4g}" if data[t][b] else "–"
                                                                   for b in budgets) + " |")
        for mine in [t for t in tuners if t.startswith("labmake-")]:
            for b in budgets:
                peers = [t for t in tuners if not t.startswith("labmake-") and data[t][b]]
                if not peers or not data[mine][b]:
                    continue
                best = min(peers, key=lambda t: median(data[t][b]))
                p = mannwhitneyu(data[mine][b], data[best][b], alternative="less").pvalue
                print(f"  {mine} at B = {b}: {median(data[mine][b]):.4g} against the best peer {best} {median(data[best][b]):.4g}, "
                      f"p (lower) = {p:.2g}")


if __name__ == "__main__":
    main()
