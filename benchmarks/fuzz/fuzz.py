#!/usr/bin/env python3
"""Feeds the labmake binary seeded mutants of the real pipelines and search space, and hostile trials,
and checks what issue 23 asks of every one: no crash or signal death, nothing over 10 s or 1 GiB, and
every refusal located (file:line:col, or the file and parameter).

    python3 benchmarks/fuzz/fuzz.py --labmake .build/release/labmake --seconds 300 --seed 1

Prints one line per class of input with counts, and every finding; exits 1 if anything was found.
"""
import argparse, os, random, re, resource, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINES = os.path.join(HERE, "..", "..", "pipelines")
LOCATED = re.compile(r"(\.ya?ml|\.json):\d+:\d+: |\.json: |with\.\w+|--set ")
LIMIT_SECONDS, LIMIT_BYTES = 10, 1 << 30

def mutate(text, rng):
    kind = rng.randrange(12)
    if kind == 0 and text:
        i = rng.randrange(len(text)); return text[:i] + text[i + 1:]
    if kind == 1:
        i = rng.randrange(len(text) + 1); return text[:i] + rng.choice(":-[]{}&*!|>'\"#,\n \t0123456789.e${}") + text[i:]
    if kind == 2:
        lines = text.split("\n"); i = rng.randrange(len(lines)); lines.insert(i, lines[i]); return "\n".join(lines)
    if kind == 3:
        lines = text.split("\n"); i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]; return "\n".join(lines)
    if kind in (4, 9, 10, 11):
        numbers = list(re.finditer(r"-?\d+(\.\d+)?(e-?\d+)?", text))
        if numbers:
            m = rng.choice(numbers)
            return text[:m.start()] + rng.choice(["-9223372036854775808", "9223372036854775807", "1e308", "-1e308", "1e-320",
                                                   "0", "-1", "nan", ".inf", "1e30", "18446744073709551616"]) + text[m.end():]
    if kind == 5:
        return text[:rng.randrange(len(text) + 1)]
    if kind == 6:
        bomb = "\n".join("x%d: &x%d [%s]" % (k, k, ",".join(["*x%d" % (k - 1)] * 10)) for k in range(1, 10))
        i = rng.randrange(len(text) + 1)
        return text[:i] + ("\nx0: &x0 lol\n" + bomb + "\n" if rng.random() < 0.5 else "\nd: " + "[" * 300 + "]" * 300 + "\n") + text[i:]
    if kind == 7:
        m = list(re.finditer(r": [^\n]*", text))
        if m:
            c = rng.choice(m); return text[:c.start()] + ": " + rng.choice(["[]", "{}", "[a, [b]]", "{a: {b: c}}", "~", "''"]) + text[c.end():]
    if text:
        i = rng.randrange(len(text)); return text[:i] + chr(ord(text[i]) ^ (1 << rng.randrange(7))) + text[i + 1:]
    return text

def run(cmd, cwd):
    def limits():
        resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES * 4, LIMIT_BYTES * 4))
    start = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=LIMIT_SECONDS, preexec_fn=limits)
    except subprocess.TimeoutExpired:
        return None, "", time.time() - start, 0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p.returncode, p.stderr + p.stdout, time.time() - start, usage.ru_maxrss * 1024

# Trials that misbehave, each run by `labmake tune` with a 2 s trial timeout: all must end in time.
HOSTILE_TRIALS = {
    "one 50 MB line": "python3 -c \"import sys; sys.stdout.write('x' * 50_000_000 + '\\\\n'); print(1)\" #",
    "a 10 MB progress bar": "python3 -c \"import sys; sys.stdout.write('\\\\r10%' * 2_500_000); print(); print(1)\" #",
    "a million metric lines": "python3 -c \"import sys; sys.stdout.write('0.5\\\\n' * 1_000_000); print(1)\" #",
    "binary output": "head -c 3000000 /dev/urandom; echo; echo 1 #",
    "a child that never exits": "sh -c 'trap \"\" TERM; sleep 600' & sleep 600 #",
    "a background child holding the output": "(sleep 600; echo late) & echo 1 #",
    "no newline at the end": "printf 1 #",
}

def hostile_trials(labmake, work, counts, findings):
    for name, command in HOSTILE_TRIALS.items():
        code, out, seconds, rss = run([labmake, "tune", "--search-space", "search_space.json", "--trial-command", command,
                                       "--trial-timeout", "2", "--max-trials", "1", "--name", "hostile-" + str(abs(hash(name)))], work)
        verdict = "ended" if code in (0, 1) else "timeout" if code is None else "signal/crash"
        counts[("hostile trial", verdict)] = counts.get(("hostile trial", verdict), 0) + 1
        if verdict != "ended" or seconds > LIMIT_SECONDS or rss > LIMIT_BYTES:
            findings.append("hostile trial '%s': %s, exit %s, %.1f s, %d MB: %s" % (name, verdict, code, seconds, rss >> 20, out[-300:]))

# Output folders that could lead a hasher in circles or out of the workspace: each is stored by `labmake run`,
# deleted, and restored by a second run; both runs must end in time, the second one with the outputs back.
HOSTILE_OUTPUTS = {
    "a link to its own folder": "ln -s . out/loop",
    "links to its own folder and the one above": "ln -s . out/a; ln -s .. out/b",
    "a link to /": "ln -s / out/root",
    "a dangling link": "ln -s /nonexistent/x out/dangling",
    "a chain of links": "ln -s c2 out/c1; ln -s c3 out/c2; ln -s c1 out/c3",
    "200 nested folders": "d=out; for i in $(seq 200); do d=$d/d; done; mkdir -p $d; echo deep > $d/f",
    "a named pipe": "mkfifo out/pipe",
}

def hostile_outputs(labmake, top, counts, findings):
    for name, command in HOSTILE_OUTPUTS.items():
        work = tempfile.mkdtemp(dir=top)
        with open(os.path.join(work, "labmake.yaml"), "w") as f:
            f.write("stages:\n  s:\n    cmd: 'mkdir -p out; echo x > out/f; %s'\n    outs: [out]\n" % command.replace("'", "''"))
        first = run([labmake, "run"], work)
        shutil.rmtree(os.path.join(work, "out"), ignore_errors=True)
        second = run([labmake, "run"], work)
        for code, out, seconds, rss in (first, second):
            verdict = "stored" if code == 0 else "refused" if code == 1 else "timeout" if code is None else "signal/crash"
            counts[("hostile output", verdict)] = counts.get(("hostile output", verdict), 0) + 1
            if verdict in ("timeout", "signal/crash") or seconds > LIMIT_SECONDS or rss > LIMIT_BYTES:
                findings.append("hostile output '%s': %s, exit %s, %.1f s, %d MB: %s" % (name, verdict, code, seconds, rss >> 20, out[-300:]))
            elif code == 1 and "out/" not in out:
                findings.append("hostile output '%s': refused without naming the path: %s" % (name, out[-300:]))
        if first[0] == 0 and not os.path.exists(os.path.join(work, "out", "f")):
            findings.append("hostile output '%s': stored, but not restored" % name)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    labmake = os.path.abspath(args.labmake)
    rng = random.Random(args.seed)
    sources = {name: open(os.path.join(PIPELINES, name)).read() for name in ["cifar10.yaml", "cifar10-full.yaml", "examples/hello.yaml"]}
    space = open(os.path.join(PIPELINES, "search_space.json")).read()
    counts, findings = {}, []
    deadline = time.time() + args.seconds
    # Laid out as the repository is: the pipelines read ../templates/.
    top = tempfile.mkdtemp(prefix="labmake-fuzz-")
    work = os.path.join(top, "pipelines")
    os.makedirs(work)
    shutil.copytree(os.path.join(PIPELINES, "..", "templates"), os.path.join(top, "templates"))
    shutil.copy(os.path.join(PIPELINES, "search_space.json"), work)
    try:
        hostile_trials(labmake, work, counts, findings)
        hostile_outputs(labmake, top, counts, findings)
        n = 0
        while time.time() < deadline:
            n += 1
            if rng.random() < 0.6:
                name = rng.choice(list(sources)); text = sources[name]
                for _ in range(rng.randrange(1, 4)): text = mutate(text, rng)
                with open(os.path.join(work, "labmake.yaml"), "w") as f: f.write(text)
                command = rng.choice([["run", "--dry-run"], ["status"], ["dag"]])
                what = "pipeline %s (%s)" % (name, command[0])
                code, out, seconds, rss = run([labmake] + command, work)
            else:
                text = space
                for _ in range(rng.randrange(1, 4)): text = mutate(text, rng)
                with open(os.path.join(work, "space.json"), "w") as f: f.write(text)
                what = "search space (tune)"
                code, out, seconds, rss = run([labmake, "tune", "--search-space", "space.json", "--trial-command", "echo 1 #",
                                               "--max-trials", "3", "--name", "fuzz%d" % n], work)
            verdict = "accepted" if code == 0 else "refused" if code in (1, 2) else "timeout" if code is None else "signal/crash"
            key = (what.split(" (")[0], verdict)
            counts[key] = counts.get(key, 0) + 1
            if verdict in ("timeout", "signal/crash") or seconds > LIMIT_SECONDS or rss > LIMIT_BYTES:
                findings.append("%s: %s, exit %s, %.1f s, %d MB: %s" % (what, verdict, code, seconds, rss >> 20, out[-300:]))
            elif code == 2 and not LOCATED.search(out):
                findings.append("%s: refused without a location: %s" % (what, out[-300:]))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    print("inputs: %d in %.0f s, seed %d" % (sum(counts.values()), args.seconds, args.seed))
    for (what, verdict), c in sorted(counts.items()): print("  %-32s %-14s %6d" % (what, verdict, c))
    print("findings: %d" % len(findings))
    for f in findings[:50]: print("  " + f)
    sys.exit(1 if findings else 0)

if __name__ == "__main__":
    main()
