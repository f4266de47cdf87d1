#!/usr/bin/env python3
"""Times labmake and GNU make on the same generated pipelines, interleaved, in one run.

Shapes (as ../shared/bench/engine/gen.py): every stage sNNNN reads in/sNNNN.txt plus its upstream
outputs and writes out/sNNNN.txt, appending its name to .ran.log so that the stages that really ran
are counted whatever a tool prints.
  chain: s0000 -> s0001 -> ... ; the edit changes the input of s(N/2): N/2 stages must rerun.
  wide:  s0000 -> N-2 parallel stages -> one fan-in stage; the edit changes one fan-out input: 2 rerun.
Scenarios per rep, in a fresh workspace: full (all run), noop (none), touch (an input's mtime bumped,
content unchanged), edit (content changed). Prints a Markdown table of medians and labmake/make ratios.

    python3 benchmarks/engine/bench.py --labmake .build/release/labmake --sizes 10,100,1000 --reps 5
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

def shape(kind, n):
    stages = []
    for i in range(n):
        if kind == "chain":
            after = [i - 1] if i > 0 else []
        else:
            after = [] if i == 0 else ([0] if i < n - 1 else list(range(1, n - 1)))
        stages.append((i, after))
    return stages

def name(i): return "s%04d" % i

def command(i, after):
    ins = " ".join(["in/%s.txt" % name(i)] + ["out/%s.txt" % name(j) for j in after])
    return "(cat %s; echo %s) > out/%s.txt && echo %s >> .ran.log" % (ins, name(i), name(i), name(i))

def write_workspace(root, kind, n):
    os.makedirs(os.path.join(root, "in"))
    os.makedirs(os.path.join(root, "out"))
    stages = shape(kind, n)
    for i, _ in stages:
        with open(os.path.join(root, "in", name(i) + ".txt"), "w") as f:
            f.write("input %d\n" % i)
    with open(os.path.join(root, "labmake.yaml"), "w") as f:
        f.write("stages:\n")
        for i, after in stages:
            deps = ["in/%s.txt" % name(i)] + ["out/%s.txt" % name(j) for j in after]
            f.write("  %s:\n    cmd: \"%s\"\n    deps: [%s]\n    outs: [out/%s.txt]\n"
                    % (name(i), command(i, after), ", ".join(deps), name(i)))
    with open(os.path.join(root, "Makefile"), "w") as f:
        f.write(".PHONY: all\nall: %s\n" % " ".join("out/%s.txt" % name(i) for i, _ in stages))
        for i, after in stages:
            deps = ["in/%s.txt" % name(i)] + ["out/%s.txt" % name(j) for j in after]
            f.write("out/%s.txt: %s\n\t%s\n" % (name(i), " ".join(deps), command(i, after)))

def edit_target(kind, n):
    return n // 2 if kind == "chain" else 1

def expected_edit(kind, n):
    return n - n // 2 if kind == "chain" else 2

def timed(cmd, cwd):
    ran_log = os.path.join(cwd, ".ran.log")
    if os.path.exists(ran_log):
        os.remove(ran_log)
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit("%s failed in %s: %s" % (cmd, cwd, proc.stderr.decode()[-2000:]))
    ran = open(ran_log).read().split() if os.path.exists(ran_log) else []
    return seconds, len(ran)

def one_rep(tool, cmd, kind, n, noops):
    root = tempfile.mkdtemp(prefix="labmake-bench-")
    try:
        write_workspace(root, kind, n)
        result = {}
        result["full"] = timed(cmd, root)
        # The first no-op after a full run, then the steady state.
        result["noop"] = min((timed(cmd, root) for _ in range(noops)), key=lambda r: r[0])
        target = os.path.join(root, "in", name(edit_target(kind, n)) + ".txt")
        time.sleep(0.02)
        os.utime(target)
        result["touch"] = timed(cmd, root)
        with open(target, "a") as f:
            f.write("edited\n")
        result["edit"] = timed(cmd, root)
        return result
    finally:
        shutil.rmtree(root, ignore_errors=True)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--labmake", default=".build/release/labmake")
    ap.add_argument("--sizes", default="10,100,1000")
    ap.add_argument("--shapes", default="chain,wide")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--noops", type=int, default=3, help="no-op runs per rep; the fastest counts")
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()
    labmake = os.path.abspath(args.labmake)
    tools = {"labmake": "%s run -j %d" % (labmake, args.jobs), "make": "make -r -j%d" % args.jobs}
    print("labmake: %s" % subprocess.run([labmake, "--version"], capture_output=True, text=True).stdout.strip())
    print("make: %s" % subprocess.run(["make", "--version"], capture_output=True, text=True).stdout.splitlines()[0])
    print("reps: %d, jobs: %d, cores: %d\n" % (args.reps, args.jobs, os.cpu_count()))
    print("| shape | N | scenario | labmake ms | make ms | labmake/make | stages run (labmake / make / expected) |")
    print("|---|---|---|---|---|---|---|")
    for kind in args.shapes.split(","):
        for n in map(int, args.sizes.split(",")):
            runs = {t: [] for t in tools}
            for _ in range(args.reps):  # interleaved, so both tools see the same machine
                for tool, cmd in tools.items():
                    runs[tool].append(one_rep(tool, cmd, kind, n, args.noops))
            expected = {"full": n, "noop": 0, "touch": 0, "edit": expected_edit(kind, n)}
            for scenario in ["full", "noop", "touch", "edit"]:
                ms = {t: statistics.median(r[scenario][0] for r in runs[t]) * 1000 for t in tools}
                counts = {t: runs[t][0][scenario][1] for t in tools}
                print("| %s | %d | %s | %.1f | %.1f | %.2f | %d / %d / %d |" % (
                    kind, n, scenario, ms["labmake"], ms["make"], ms["labmake"] / ms["make"],
                    counts["labmake"], counts["make"], expected[scenario]))
                sys.stdout.flush()

if __name__ == "__main__":
    main()
