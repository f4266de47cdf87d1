import Pipeline
import LabmakeTesting
import Testing
import SystemIO

/// The chain a → b → c → d, each reading its own input file and the previous output.
func chainLab() throws -> Lab {
    let lab = try Lab([
        Lab.cat("a", ["in/a.txt"], "out/a.txt"),
        Lab.cat("b", ["in/b.txt", "out/a.txt"], "out/b.txt"),
        Lab.cat("c", ["in/c.txt", "out/b.txt"], "out/c.txt"),
        Lab.cat("d", ["in/d.txt", "out/c.txt"], "out/d.txt"),
    ])
    for name in ["a", "b", "c", "d"] { lab.fs.write("/ws/in/\(name).txt", "input \(name)\n") }
    return lab
}

@Suite("Caching by content")
struct CachingTests {
    @Test("a second run executes nothing")
    func noOpRerun() throws {
        let lab = try chainLab()
        #expect(try lab.run() == ["a": .executed, "b": .executed, "c": .executed, "d": .executed])
        #expect(lab.executed().count == 4)
        #expect(try lab.run() == ["a": .cached, "b": .cached, "c": .cached, "d": .cached])
        #expect(lab.executed().isEmpty)
    }

    @Test("touching a file without changing it reruns nothing and does not re-read unchanged files")
    func touchReruns() throws {
        let lab = try chainLab()
        try lab.run()
        _ = lab.executed()
        lab.fs.reads.withLock { $0.removeAll() }
        try lab.run()
        #expect(lab.fs.reads.withLock { $0["/ws/in/c.txt"] } == nil, "an unchanged file is not read again")
        lab.fs.touch("/ws/in/b.txt")
        #expect(try lab.run().values.allSatisfy { $0 == .cached })
        #expect(lab.executed().isEmpty)
        #expect(lab.fs.reads.withLock { $0["/ws/in/b.txt"] } == 1, "a touched file is re-hashed once")
    }

    @Test("editing a mid-chain input reruns exactly its downstream stages")
    func editMidChain() throws {
        let lab = try chainLab()
        try lab.run()
        _ = lab.executed()
        lab.fs.write("/ws/in/c.txt", "changed\n")
        #expect(try lab.run() == ["a": .cached, "b": .cached, "c": .executed, "d": .executed])
        #expect(lab.executed() == ["cat in/c.txt out/b.txt > out/c.txt", "cat in/d.txt out/c.txt > out/d.txt"])
        #expect(lab.fs.text("/ws/out/d.txt") == "input d\nchanged\ninput b\ninput a\nout/a.txt\nout/b.txt\nout/c.txt\nout/d.txt\n")
    }

    @Test("changing a parameter and changing it back restores from the store with zero executions")
    func parameterRoundTrip() throws {
        func stage(_ lr: Double) -> StageDefinition {
            StageDefinition(name: "train", command: "write model.txt lr=\(lr)", params: ["lr": .double(lr)], outs: ["model.txt"])
        }
        let lab = try Lab([stage(0.1), Lab.cat("eval", ["model.txt"], "eval.txt")])
        try lab.run()
        lab.stages[0] = stage(0.05)
        #expect(try lab.run() == ["train": .executed, "eval": .executed])
        _ = lab.executed()
        lab.stages[0] = stage(0.1)
        #expect(try lab.run() == ["train": .restored, "eval": .restored])
        #expect(lab.executed().isEmpty)
        #expect(lab.fs.text("/ws/model.txt") == "lr=0.1\n")
        #expect(lab.fs.text("/ws/eval.txt") == "lr=0.1\neval.txt\n")
    }

    @Test("a rerun that writes identical output stops there (early cutoff)")
    func earlyCutoff() throws {
        let lab = try Lab([
            StageDefinition(name: "normalize", command: "noop-normalize", deps: ["raw.txt"], outs: ["clean.txt"]),
            Lab.cat("train", ["clean.txt"], "model.txt"),
            Lab.cat("report", ["model.txt"], "report.txt"),
        ])
        // Like `sort -u`: duplicates in the input do not change the output.
        lab.launcher.on("noop-normalize") { _ in
            let lines = Set((lab.fs.text("/ws/raw.txt") ?? "").split(separator: "\n")).sorted()
            lab.fs.write("/ws/clean.txt", lines.joined(separator: "\n") + "\n")
            return 0
        }
        lab.fs.write("/ws/raw.txt", "b\na\n")
        try lab.run()
        _ = lab.executed()
        lab.fs.write("/ws/raw.txt", "b\na\na\n")
        #expect(try lab.run() == ["normalize": .executed, "train": .cached, "report": .cached])
        #expect(lab.executed() == ["noop-normalize"])
    }

    @Test("an output deleted or edited by hand is restored from the store without running")
    func outputRestored() throws {
        let lab = try chainLab()
        try lab.run()
        _ = lab.executed()
        try lab.fs.removeItem("/ws/out/b.txt")
        #expect(try lab.reasons()["b"] == ["output out/b.txt missing"])
        #expect(try lab.run()["b"] == .restored)
        lab.fs.write("/ws/out/c.txt", "scribbled\n")
        #expect(try lab.reasons()["c"] == ["output out/c.txt modified"])
        #expect(try lab.run() == ["a": .cached, "b": .cached, "c": .restored, "d": .cached])
        #expect(lab.executed().isEmpty)
        #expect(lab.fs.text("/ws/out/c.txt")?.hasSuffix("out/c.txt\n") == true)
    }

    @Test("a damaged artifact is detected, dropped, and the stage runs again instead")
    func damagedArtifact() throws {
        let lab = try Lab([StageDefinition(name: "a", command: "write a.txt hello", outs: ["a.txt"])])
        try lab.run()
        let objects = "/ws/.labmake/store/objects"
        let prefix = try #require(try lab.fs.contentsOfDirectory(objects).first)
        let object = objects + "/" + prefix + "/" + (try lab.fs.contentsOfDirectory(objects + "/" + prefix)[0])
        lab.fs.write(object, "corrupted")
        try lab.fs.removeItem("/ws/a.txt")
        #expect(try lab.run()["a"] == .executed)
        #expect(lab.fs.text("/ws/a.txt") == "hello\n")
        #expect(lab.fs.text(object) != "corrupted", "the damaged object was replaced")
    }

    @Test("directory outputs are stored as trees and restored whole")
    func directoryOutputs() throws {
        let lab = try Lab([StageDefinition(name: "split", command: "split-it", outs: ["parts"])])
        lab.launcher.on("split-it") { _ in
            lab.fs.write("/ws/parts/one.txt", "1\n")
            lab.fs.write("/ws/parts/nested/two.txt", "2\n")
            return 0
        }
        try lab.run()
        try lab.fs.removeItem("/ws/parts/nested")
        #expect(try lab.reasons()["split"] == ["output parts modified"])
        #expect(try lab.run()["split"] == .restored)
        #expect(lab.fs.text("/ws/parts/nested/two.txt") == "2\n")
    }

    @Test("a stage that reads an upstream stage's outputs through `needs` reruns when they change")
    func needsInputs() throws {
        let lab = try Lab([
            StageDefinition(name: "gen", command: "write g.txt one", params: ["v": .int(1)], outs: ["g.txt"]),
            StageDefinition(name: "use", command: "cat g.txt > u.txt", outs: ["u.txt"], needs: ["gen"]),
        ])
        try lab.run()
        #expect(try lab.run() == ["gen": .cached, "use": .cached])
        lab.stages[0] = StageDefinition(name: "gen", command: "write g.txt two", params: ["v": .int(2)], outs: ["g.txt"])
        #expect(try lab.run() == ["gen": .executed, "use": .executed])
        #expect(lab.fs.text("/ws/u.txt") == "two\nu.txt\n")
    }

    @Test("a dependency inside an upstream output directory keys on the whole directory, fast path or not")
    func dependencyInsideDirectory() throws {
        let lab = try Lab([
            StageDefinition(name: "split", command: "split-it", params: ["n": .int(1)], outs: ["parts"]),
            Lab.cat("use", ["parts/one.txt"], "u.txt"),
        ])
        func split(_ other: String) {
            lab.launcher.on("split-it") { _ in
                lab.fs.write("/ws/parts/one.txt", "1\n")
                lab.fs.write("/ws/parts/two.txt", other)
                return 0
            }
        }
        split("2\n")
        try lab.run()
        #expect(try lab.run() == ["split": .cached, "use": .cached])
        split("changed\n")
        lab.stages[0].params = ["n": .int(2)]
        #expect(try lab.run() == ["split": .executed, "use": .executed])
    }

    @Test("--force runs up-to-date stages again")
    func force() throws {
        let lab = try chainLab()
        try lab.run()
        #expect(try lab.run(RunOptions(force: true)).values.allSatisfy { $0 == .executed })
    }

    @Test("naming a stage runs it and what it needs, nothing else")
    func targets() throws {
        let lab = try chainLab()
        #expect(try lab.run(RunOptions(targets: ["b"])) == ["a": .executed, "b": .executed])
        #expect(throws: RunnerError.self) { try lab.run(RunOptions(targets: ["nope"])) }
    }
}
