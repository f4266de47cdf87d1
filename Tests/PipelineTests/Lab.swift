import Pipeline
import SystemIO
import LabmakeTesting

/// A workspace in memory with a tiny shell: `cat IN… > OUT` concatenates files and appends the
/// stage's name, `write OUT TEXT…` writes text, `fail` exits 1, `mkdir-write DIR/NAME TEXT` writes
/// into a directory output. Every command that runs is recorded.
final class Lab: @unchecked Sendable {
    let clock = FakeClock()
    let fs: MemoryFileSystem
    let launcher: FakeLauncher
    let workspace: Workspace
    var stages: [StageDefinition]

    init(_ stages: [StageDefinition]) throws {
        let fs = MemoryFileSystem(clock: clock)
        self.fs = fs
        launcher = FakeLauncher { command, _ in Lab.interpret(command, fs) }
        workspace = try Workspace(root: "/ws", fileSystem: fs, launcher: launcher, clock: clock, inMemory: true)
        self.stages = stages
    }

    static func interpret(_ command: String, _ fs: MemoryFileSystem) -> Int32? {
        let words = command.split(separator: " ").map(String.init)
        switch words.first {
        case "cat":
            guard let arrow = words.firstIndex(of: ">") else { return 2 }
            var text = ""
            for input in words[1..<arrow] {
                guard let content = fs.text("/ws/" + input) else { return 1 }
                text += content
            }
            fs.write("/ws/" + words[arrow + 1], text + words[arrow + 1] + "\n")
            return 0
        case "write", "mkdir-write":
            fs.write("/ws/" + words[1], words.dropFirst(2).joined(separator: " ") + "\n")
            return 0
        case "fail": return 1
        case "noop": return 0
        default: return nil
        }
    }

    /// Runs the pipeline and returns each stage's status by name.
    @discardableResult
    func run(_ options: RunOptions = RunOptions(jobs: 2)) throws -> [String: StageStatus] {
        try summary(options).outcomes.reduce(into: [:]) { $0[$1.name] = $1.status }
    }

    func summary(_ options: RunOptions = RunOptions(jobs: 2)) throws -> RunSummary {
        let runner = Runner(graph: try Graph(stages), workspace: workspace, kinds: StageKindRegistry([CommandStage()]),
                            settings: PipelineSettings(), observer: NullObserver())
        return try runner.run(options)
    }

    /// The reasons `status` would give, by stage.
    func reasons() throws -> [String: [String]] {
        try summary(RunOptions(dryRun: true)).outcomes.reduce(into: [:]) { $0[$1.name] = $1.reasons }
    }

    /// The commands run since the last call, sorted (parallel stages run in any order).
    func executed() -> [String] { launcher.takeRan().sorted() }

    /// A stage that concatenates its deps into `out` and adds its own mark.
    static func cat(_ name: String, _ deps: [String], _ out: String, needs: [String] = []) -> StageDefinition {
        StageDefinition(name: name, command: "cat \(deps.joined(separator: " ")) > \(out)", deps: deps, outs: [out], needs: needs)
    }
}

struct NullObserver: RunObserver {
    func stageStarted(_ name: String, reasons: [StaleReason]) {}
    func stageOutput(_ name: String, line: String) {}
    func stageFinished(_ outcome: StageOutcome) {}
}
