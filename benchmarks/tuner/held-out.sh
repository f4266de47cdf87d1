#!/usr/bin/env bash
# labmake's TPE against Optuna's on the held-out objectives (held_out_objectives.py), SEEDS seeds each.
# usage: benchmarks/tuner/held-out.sh /path/to/labmake [SEEDS]   (needs: pip install optuna==5.0.0 scipy)
set -euo pipefail
labmake=$(realpath "$1"); seeds=${2:-20}
here=$(cd "$(dirname "$0")" && pwd); shared=$(realpath "$here/../../../shared/bench/tuner")
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -r "$shared"/. "$work/"; cp "$here/held_out_objectives.py" "$work/extra_objectives.py"
echo 'import extra_objectives  # noqa: E402,F401  (held-out objectives register themselves)' >> "$work/objectives.py"
cd "$work"   # an empty workspace: labmake would otherwise resume earlier runs with the same seeds
objectives=hartmann3,ackley4,styblinski5,cnnlab,translab
echo "held-out: Optuna TPE, $seeds seeds × 4 objectives…" >&2
python3 run_peers.py --tuners optuna-tpe --objectives $objectives --seeds "$seeds" --out optuna.jsonl --jobs 1 > /dev/null
echo "held-out: labmake TPE, $seeds seeds × 4 objectives…" >&2
python3 run_cmd_tuner.py --name labmake-tpe --seeds "$seeds" --budget 100 --objectives $objectives --out labmake.jsonl --cmd \
  "$labmake tune --search-space {space} --tuner tpe --max-trials {budget} --seed {seed} --direction {direction} --trial-server \"{serve_cmd}\" --log {log}" > /dev/null
python3 summarize.py optuna.jsonl labmake.jsonl --compare labmake-tpe | tail -14
