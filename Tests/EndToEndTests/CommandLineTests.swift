import Foundation
import Testing

@Suite("The command line")
struct CommandLineTests {
    @Test("exit codes: 0 ok, 1 a stage failed, 2 invalid pipeline or usage")
    func exitCodes() throws {
        let box = try Sandbox([
            "labmake.yaml": "stages:\n  ok: {cmd: 'echo hi > ok.txt', outs: [ok.txt]}\n",
            "bad.yaml": "stages:\n  a:\n    cmd: x\n    dep: [y]\n",
            "failing.yaml": "stages:\n  broken: {cmd: 'echo about to fail; exit 3'}\n",
        ])
        #expect(try box.labmake("run").status == 0)

        let invalid = try box.labmake("run", "bad.yaml")
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("bad.yaml:4:5: error: unknown key 'dep' in stage 'a'"))
        #expect(invalid.stderr.contains("did you mean 'deps'?"))

        let failing = try box.labmake("run", "failing.yaml")
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("[broken] about to fail"))
        #expect(failing.stdout.contains("✗ broken failed: command failed: exit status 3"))

        #expect(try box.labmake("run", "nosuchstage").status == 2)
        #expect(try box.labmake("run", "--jobs", "0").status == 2)
        #expect(try box.labmake("run", "--frobnicate").status == 2)
        #expect(try box.labmake("status", "missing.yaml").status == 2)
        #expect(try box.labmake("run", "--set", "novalue").status == 2)
    }

    @Test("run --json reports every stage with status, seconds and reasons")
    func json() throws {
        let box = try Sandbox(["labmake.yaml": """
            params: {n: 3}
            stages:
              gen: {cmd: 'seq ${params.n} > nums.txt', params: [n], outs: [nums.txt]}
              sum: {cmd: "awk '{s+=$1} END {print s}' nums.txt > sum.txt", deps: [nums.txt], outs: [sum.txt]}
            """])
        let first = try box.labmake("run", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == true)
        let stages = try #require(object["stages"] as? [[String: Any]])
        #expect(stages.map { $0["name"] as? String } == ["gen", "sum"])
        #expect(stages.allSatisfy { $0["status"] as? String == "executed" && $0["seconds"] is Double })
        #expect(stages[0]["reasons"] as? [String] == ["never run"])
        #expect(box.read("sum.txt") == "6\n")

        let changed = try box.labmake("run", "--json", "--set", "n=4")
        #expect(try statuses(changed.stdout) == ["gen": "executed", "sum": "executed"])
        let back = try box.labmake("run", "--json")
        #expect(try statuses(back.stdout) == ["gen": "restored", "sum": "restored"])
        #expect(box.read("sum.txt") == "6\n")
    }

    @Test("stages run in parallel up to --jobs")
    func parallel() throws {
        // Each stage waits for the other to start: they can only finish if both run at once.
        let box = try Sandbox(["labmake.yaml": """
            stages:
              left: {cmd: 'touch left.started; while [ ! -e right.started ]; do sleep 0.02; done; echo l > l.txt', outs: [l.txt]}
              right: {cmd: 'touch right.started; while [ ! -e left.started ]; do sleep 0.02; done; echo r > r.txt', outs: [r.txt]}
            """])
        let result = try box.labmake("run", "-j2", timeout: 60)
        #expect(result.status == 0)
    }

    @Test("a stage's output streams with its name and is kept for labmake log")
    func output() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  talk: {cmd: 'echo one; echo two >&2; echo three > t.txt', outs: [t.txt]}\n"])
        let run = try box.labmake("run")
        #expect(run.stdout.contains("[talk] one\n"))
        #expect(run.stdout.contains("[talk] two\n"))
        let log = try box.labmake("log", "talk")
        #expect(log.stdout == "one\ntwo\n")
        let missing = try box.labmake("log", "nope")
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no log for stage 'nope'"))
    }

    @Test("status explains staleness in the documented words")
    func status() throws {
        let box = try Sandbox([
            "labmake.yaml": """
                params: {lr: 0.1}
                stages:
                  b: {cmd: 'cp data/x.csv b.txt', deps: [data/x.csv], outs: [b.txt]}
                  train: {cmd: 'cat b.txt > model.bin; echo ${params.lr} >> model.bin', params: [lr], deps: [b.txt], outs: [model.bin]}
                """,
            "data/x.csv": "1,2\n",
        ])
        #expect(try box.labmake("run").status == 0)
        #expect(try box.labmake("status").stdout.contains("everything is up to date"))
        try box.write("data/x.csv", "3,4\n")
        try FileManager.default.removeItem(atPath: box.root.appendingPathComponent("model.bin").path)
        let stale = try box.labmake("status", "--set", "lr=0.05")
        #expect(stale.stdout.contains("b      stale: dep data/x.csv changed"))
        #expect(stale.stdout.contains("train  stale: command changed; param lr changed 0.1 → 0.05; output model.bin missing; upstream stage b is stale"))
    }

    @Test("touching a file reruns nothing; editing it in place at once, same size, is still noticed")
    func touchAndRacyEdit() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  copy: {cmd: 'cp in.txt out.txt', deps: [in.txt], outs: [out.txt]}\n", "in.txt": "aaaa\n"])
        #expect(try box.labmake("run").status == 0)
        let path = box.root.appendingPathComponent("in.txt").path
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["copy": "cached"])
        // Rewrite in place (same inode, same size) right after a run.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data("bbbb\n".utf8))
        try handle.close()
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["copy": "executed"])
        #expect(box.read("out.txt") == "bbbb\n")
    }

    @Test("--dry-run says what would run and why, and runs nothing")
    func dryRun() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  a: {cmd: 'echo > a', outs: [a]}\n  b: {cmd: 'cat a > b', deps: [a], outs: [b]}\n"])
        let dry = try box.labmake("run", "--dry-run")
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("would run a  (never run)"))
        #expect(dry.stdout.contains("would run b  (never run; upstream stage a is stale)"))
        #expect(!box.exists("a"))
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["a": "executed", "b": "executed"], "the dry run recorded nothing")
    }

    @Test("dag draws the pipeline as text, dot and Mermaid")
    func dag() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  a: {cmd: 'echo > a', outs: [a]}\n  b: {cmd: 'cat a > b', deps: [a], outs: [b]}\n"])
        #expect(try box.labmake("dag").stdout == "a\nb  ← a\n")
        #expect(try box.labmake("dag", "--format", "dot").stdout.contains("\"a\" -> \"b\";"))
        #expect(try box.labmake("dag", "--format", "mermaid").stdout == "flowchart LR\n  s0[\"a\"]\n  s1[\"b\"]\n  s0 --> s1\n")
    }

    @Test("gc drops artifacts of earlier runs and reports what it freed")
    func gc() throws {
        let box = try Sandbox(["labmake.yaml": "params: {n: 1}\nstages:\n  a: {cmd: 'seq ${params.n} 1000 > a.txt', params: [n], outs: [a.txt]}\n"])
        #expect(try box.labmake("run").status == 0)
        #expect(try box.labmake("run", "--set", "n=2").status == 0)
        let gc = try box.labmake("gc")
        #expect(gc.status == 0)
        #expect(gc.stdout.hasPrefix("removed 1 artifact file and 1 old run, freed"))
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["a": "executed"], "the n=1 output is gone from the store")
    }
}
