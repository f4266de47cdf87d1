#!/usr/bin/env bash
# labmake's TPE at the budgets users run (5, 10, 20 trials), one labmake run per budget (it plans its
# start-up for the budget), against Optuna and Hyperopt reading the same budgets off 20-trial runs,
# on the shared and held-out objectives, over SEEDS seeds from SEED_START (disjoint from the 0–99
# the tuner was developed on).
# usage: benchmarks/tuner/small-budgets.sh /path/to/labmake [SEEDS] [SEED_START] [TUNER] [RESULTS]
#        (needs: pip install optuna==5.0.0 hyperopt==0.3.0 scipy, and nni==3.0 for NNI's tuners); the runs are kept in RESULTS
#        (default ./small-budgets-results), the peers' reused when there already.
set -euo pipefail
labmake=$(realpath "$1"); seeds=${2:-50}; start=${3:-1000}; tuner=${4:-tpe}
results=$(realpath -m "${5:-small-budgets-results}"); mkdir -p "$results"
here=$(cd "$(dirname "$0")" && pwd); shared=$(realpath "$here/../../../shared/bench/tuner")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$shared"/. "$work/"; cp "$here/held_out_objectives.py" "$work/extra_objectives.py"
echo 'import extra_objectives  # noqa: E402,F401  (held-out objectives register themselves)' >> "$work/objectives.py"
cd "$work"   # an empty workspace: labmake would otherwise resume earlier runs with the same seeds
objectives=branin,hartmann6,rosenbrock4,mixed5,hartmann3,ackley4,styblinski5,cnnlab,translab
peers=optuna-tpe,optuna-random,hyperopt-tpe,hyperopt-anneal,hyperopt-random
if python3 -c "import nni" 2>/dev/null; then peers=$peers,nni-tpe,nni-random,nni-evolution; fi   # pip install nni==3.0
echo "small budgets: peers ($peers), $seeds seeds from $start…" >&2
peers_file="$results/peers-$seeds-from-$start.jsonl"
[ -s "$peers_file" ] || python3 run_peers.py --tuners $peers --objectives $objectives --seeds "$seeds" --seed-start "$start" \
  --max-budget 20 --out "$peers_file" --jobs 2 > /dev/null
for budget in 5 10 20; do
  echo "small budgets: labmake $tuner at $budget trials…" >&2
  mine="$results/labmake-$tuner-$budget-$seeds-from-$start.jsonl"
  python3 - "$labmake" "$tuner" "$budget" "$seeds" "$start" "$objectives" "$mine" <<'EOF'
import json, os, sys, tempfile
import run_cmd_tuner
labmake, tuner, budget, seeds, start, objectives, mine = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], sys.argv[7]
template = (labmake + " tune --search-space {space} --tuner " + tuner + " --max-trials {budget} --seed {seed}"
            " --direction {direction} --trial-server \"{serve_cmd}\" --log {log}")
name = f"labmake-{tuner}@{budget}"
with tempfile.TemporaryDirectory(prefix="labmake-") as wd, open(mine, "w") as out:
    os.chdir(wd)  # a workspace per budget: a run with the same seed and a larger budget would resume a smaller one
    for objective in objectives.split(","):
        for seed in range(start, start + seeds):
            out.write(json.dumps(run_cmd_tuner.run_one(name, template, objective, seed, budget, wd, 600)) + "\n")
EOF
  python3 summarize.py "$peers_file" "$mine" --budgets "$budget" --compare "labmake-$tuner@$budget" | tail -12
done
