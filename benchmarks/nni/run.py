"""Runs an unmodified NNI trial script under labmake with the real `nni` package, checks every recorded result
against what the script computes for the recorded parameters, and measures labmake's per-trial overhead next to
NNI's own (nnictl), on the same machine in the same session.

    python3 benchmarks/nni/run.py --labmake .build-release/release/labmake [--python VENV/bin/python] [--trials 10] [--no-nnictl]

Without --python it makes benchmarks/nni/.venv with `pip install nni==3.0`.
"""
import argparse, json, os, shutil, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))


def venv_python(path):
    python = os.path.join(path, 'bin', 'python')
    if not os.path.exists(python):
        subprocess.run([sys.executable, '-m', 'venv', path], check=True)
        subprocess.run([python, '-m', 'pip', 'install', '-q', 'nni==3.0'], check=True)
    return python


def workspace(python, trial, trials, config_name='config.yml'):
    folder = tempfile.mkdtemp(prefix='labmake-nni-')
    for name in ['main.py', 'noop.py', 'search_space.json']:
        shutil.copy(os.path.join(HERE, name), folder)
    with open(os.path.join(HERE, config_name)) as f:
        text = f.read().replace('python3 main.py', python + ' ' + trial)
    text = text.replace('maxTrialNumber: 8', 'maxTrialNumber: %d' % trials).replace('maxTrialNum: 8', 'maxTrialNum: %d' % trials)
    with open(os.path.join(folder, config_name), 'w') as f:
        f.write(text)
    return folder


def check_results(labmake, python, config_name):
    """Every intermediate and final result recorded equals main.py's accuracy() for the recorded parameters."""
    folder = workspace(python, 'main.py', 8, config_name)
    run = subprocess.run([labmake, 'tune', '--nni-config', config_name], cwd=folder, capture_output=True, text=True)
    rows = json.loads(subprocess.run([labmake, 'trials', 'nni-bench', '--json'], cwd=folder, capture_output=True, text=True, check=True).stdout)
    # What main.py computes for each recorded configuration, asked of main.py itself (with the real nni importable).
    compute = ('import json, sys, main\n'
               'rows = json.load(sys.stdin)\n'
               'print(json.dumps([[main.accuracy(dict(epochs=5, **r["parameter"]), e) for e in range(5)] for r in rows]))')
    expected_all = json.loads(subprocess.run([python, '-c', compute], cwd=folder, input=json.dumps(rows), capture_output=True, text=True,
                                             check=True).stdout)
    mismatches = 0
    for row, expected in zip(rows, expected_all):
        got = [float(v) for v in row['intermediate']]
        if got != expected[:len(got)]:
            mismatches += 1
        if row['status'] == 'SUCCEEDED' and float(row['value']) != expected[-1]:
            mismatches += 1
    statuses = {}
    for row in rows:
        statuses[row['status']] = statuses.get(row['status'], 0) + 1
    print('%s: labmake tune exit %d, %d trials %s, %d results differing from main.py' % (config_name, run.returncode, len(rows), statuses, mismatches))
    shutil.rmtree(folder)
    return mismatches == 0 and run.returncode == 0


def labmake_overhead(labmake, python, trials):
    folder = workspace(python, 'noop.py', trials)
    started = time.time()
    subprocess.run([labmake, 'tune', '--nni-config', 'config.yml', '--name', 'overhead'], cwd=folder, capture_output=True, check=True)
    per_trial = (time.time() - started) / trials
    standalone = []
    for _ in range(5):
        t = time.time()
        subprocess.run([python, 'noop.py'], cwd=folder, capture_output=True, check=True)
        standalone.append(time.time() - t)
    shutil.rmtree(folder)
    return per_trial, statistics.median(standalone)


def nnictl_overhead(python, trials):
    """NNI 3.0 itself on the same trials: seconds per trial from the experiment's start to its end (its own profile)."""
    import re, sqlite3, urllib.request
    folder = workspace(python, 'noop.py', trials)
    nnictl = os.path.join(os.path.dirname(python), 'nnictl')
    port = '18080'
    create = subprocess.run([nnictl, 'create', '--config', 'config.yml', '--port', port], cwd=folder, capture_output=True, text=True)
    text = re.sub(r'\x1b\[[0-9;]*m', '', create.stdout)
    found = re.search(r'Experiment ID: (\w+)', text)
    if create.returncode != 0 or not found:
        return None, text[-500:] + create.stderr[-500:]
    experiment = found.group(1)
    status = ''
    deadline = time.time() + 600
    while time.time() < deadline and status not in ('DONE', 'ERROR'):
        time.sleep(0.5)
        try:
            with urllib.request.urlopen('http://127.0.0.1:%s/api/v1/nni/check-status' % port, timeout=5) as response:
                status = json.load(response).get('status', '')
        except OSError:
            pass
    subprocess.run([nnictl, 'stop', experiment], capture_output=True)
    shutil.rmtree(folder)
    if status != 'DONE':
        return None, status
    database = sqlite3.connect(os.path.expanduser('~/nni-experiments/%s/db/nni.sqlite' % experiment))
    start, end = database.execute('SELECT startTime, endTime FROM ExperimentProfile ORDER BY revision DESC LIMIT 1').fetchone()
    runs = database.execute("SELECT COUNT(*) FROM TrialJobEvent WHERE event = 'SUCCEEDED'").fetchone()[0]
    return (end - start) / 1000 / max(runs, 1), 'DONE, %d trials succeeded, experiment %s' % (runs, experiment)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--labmake', required=True)
    parser.add_argument('--python')
    parser.add_argument('--trials', type=int, default=10)
    parser.add_argument('--no-nnictl', action='store_true')
    args = parser.parse_args()
    labmake = os.path.abspath(args.labmake)
    python = args.python or venv_python(os.path.join(HERE, '.venv'))
    version = subprocess.run([python, '-c', 'import nni; print(nni.__version__)'], capture_output=True, text=True).stdout.strip()
    print('nni %s, python %s' % (version, python))
    ok = all([check_results(labmake, python, 'config.yml'), check_results(labmake, python, 'config_v1.yml')])
    per_trial, standalone = labmake_overhead(labmake, python, args.trials)
    print('noop.py standalone: %.3f s (median of 5)' % standalone)
    print('labmake: %.3f s per trial, overhead %.3f s per trial (%d trials)' % (per_trial, per_trial - standalone, args.trials))
    if not args.no_nnictl:
        nni_per_trial, status = nnictl_overhead(python, args.trials)
        if nni_per_trial is None:
            print('nnictl: did not finish (%s)' % status)
        else:
            print('nnictl: %.3f s per trial, overhead %.3f s per trial (%d trials, start to end; %s)' % (nni_per_trial, nni_per_trial - standalone, args.trials, status))
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
