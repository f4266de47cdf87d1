import Pipeline
import LabmakeTesting
import Testing

@Suite("Failures")
struct FailureTests {
    /// ok → broken → after, and ok → side, which does not depend on broken.
    func lab() throws -> Lab {
        try Lab([
            StageDefinition(name: "ok", command: "write ok.txt fine", outs: ["ok.txt"]),
            StageDefinition(name: "broken", command: "fail", deps: ["ok.txt"], outs: ["broken.txt"]),
            Lab.cat("after", ["broken.txt"], "after.txt"),
            Lab.cat("side", ["ok.txt"], "side.txt"),
        ])
    }

    @Test("fail fast: after a failure nothing new starts, and the rest is reported skipped")
    func failFast() throws {
        let summary = try lab().summary(RunOptions(jobs: 1))
        let status = Dictionary(uniqueKeysWithValues: summary.outcomes.map { ($0.name, $0.status) })
        #expect(status == ["ok": .executed, "broken": .failed, "after": .skipped, "side": .skipped])
        #expect(!summary.ok)
        let broken = try #require(summary.outcomes.first { $0.name == "broken" })
        #expect(broken.error == "command failed: exit status 1")
        let after = try #require(summary.outcomes.first { $0.name == "after" })
        #expect(after.reasons == ["upstream stage broken failed"])
        let side = try #require(summary.outcomes.first { $0.name == "side" })
        #expect(side.reasons == ["the run stopped after a failure"])
    }

    @Test("--keep-going runs every stage that does not depend on the failure")
    func keepGoing() throws {
        let status = try lab().run(RunOptions(jobs: 1, keepGoing: true))
        #expect(status == ["ok": .executed, "broken": .failed, "after": .skipped, "side": .executed])
    }

    @Test("a failed stage keeps nothing that a later run would trust; what succeeded stays cached")
    func nothingLost() throws {
        let lab = try lab()
        try lab.run(RunOptions(jobs: 1, keepGoing: true))
        lab.launcher.on("fail") { _ in
            lab.fs.write("/ws/broken.txt", "fixed\n")
            return 0
        }
        #expect(try lab.run(RunOptions(jobs: 1)) == ["ok": .cached, "broken": .executed, "after": .executed, "side": .cached])
    }

    @Test("a command that does not write its declared output fails")
    func missingOutput() throws {
        let lab = try Lab([StageDefinition(name: "lazy", command: "noop", outs: ["never.txt"])])
        let outcome = try #require(try lab.summary().outcomes.first)
        #expect(outcome.status == .failed)
        #expect(outcome.error == "did not write its declared output never.txt")
    }

    @Test("a stage's output is kept in its log")
    func logs() throws {
        let lab = try Lab([StageDefinition(name: "talk", command: "talk", outs: ["t.txt"])])
        lab.launcher.on("talk") { output in
            output("epoch 1 loss 2.3")
            output("epoch 2 loss 1.1")
            lab.fs.write("/ws/t.txt", "done")
            return 0
        }
        try lab.run()
        #expect(lab.fs.text("/ws/.labmake/logs/talk.log") == "epoch 1 loss 2.3\nepoch 2 loss 1.1\n")
    }
}

@Suite("Checks before anything runs")
struct PreflightTests {
    @Test("a dependency that is neither a file nor an output stops the run before any stage starts")
    func missingSource() throws {
        let lab = try Lab([
            StageDefinition(name: "first", command: "write a.txt x", outs: ["a.txt"]),
            Lab.cat("second", ["a.txt", "gone.csv"], "b.txt"),
        ])
        #expect(throws: RunnerError.missingDependency(stage: "second", path: "gone.csv")) { try lab.summary() }
        #expect(lab.executed().isEmpty)
    }
}
