import Manifest
import SystemIO
import Pipeline
import LabmakeTesting
import Testing

/// One malformed pipeline: the text, the message it must produce and where.
struct MalformedCase: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var message: String
    var line: Int?
    var column: Int?
    var hint: String? = nil
    var overrides: [String] = []

    var testDescription: String { name }
}

/// A registry with one built-in kind, so that `uses:` and `with:` checks have something to check.
struct EchoKind: StageKind {
    let name = "echo"
    let version = "1"
    var optionNames: [String]? { ["text", "times"] }

    func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        if let times = stage.with["times"], case .int(let n) = times, n < 1 {
            return [StageOptionProblem(option: "times", message: "must be at least 1, found \(n)")]
        }
        return []
    }

    func run(_ stage: StageDefinition, context: StageContext) throws {}
}

func loader() -> ManifestLoader {
    let fs = MemoryFileSystem()
    fs.write("/ws/data/raw.csv", "a,b\n")
    fs.write("/ws/prep.py", "print(1)\n")
    let kinds = StageKindRegistry([CommandStage(), EchoKind()])
    return ManifestLoader(kinds: kinds, fileSystem: fs)
}

/// Nine levels of ten aliases ("billion laughs"): 550 bytes that expand to 10^9 values, as `key:` under `header`.
func aliasBomb(under header: String, indent: String) -> String {
    var lines = [indent + "a0: &a0 \"lol\""]
    for i in 1..<10 { lines.append(indent + "a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
    return header + lines.joined(separator: "\n") + "\n"
}

let malformedCases: [MalformedCase] = [
    MalformedCase(name: "YAML syntax error", yaml: "stages:\n  a:\n    cmd: [unclosed\n",
                  message: "invalid YAML", line: 4, column: 1),
    MalformedCase(name: "tab indentation", yaml: "stages:\n\ta:\n", message: "invalid YAML", line: 2, column: 1),
    MalformedCase(name: "empty file", yaml: "", message: "the pipeline is empty", line: 1, column: 1),
    MalformedCase(name: "top level is a list", yaml: "- a\n- b\n", message: "the pipeline file must be a mapping, found a list", line: 1, column: 1),
    MalformedCase(name: "top level is a scalar", yaml: "hello\n", message: "the pipeline file must be a mapping", line: 1, column: 1),
    MalformedCase(name: "unknown top-level key", yaml: "stage:\n  a: {cmd: x}\n",
                  message: "unknown key 'stage' in the pipeline file", line: 1, column: 1, hint: "did you mean 'stages'?"),
    MalformedCase(name: "name is a list", yaml: "name: [a]\nstages:\n  a: {cmd: x}\n", message: "name must be a string, found a list", line: 1, column: 7),
    MalformedCase(name: "settings not a mapping", yaml: "settings: fast\nstages:\n  a: {cmd: x}\n",
                  message: "settings must be a mapping, found string 'fast'", line: 1, column: 11),
    MalformedCase(name: "unknown setting", yaml: "settings:\n  job: 2\nstages:\n  a: {cmd: x}\n",
                  message: "unknown key 'job' in settings", line: 2, column: 3, hint: "did you mean 'jobs'?"),
    MalformedCase(name: "jobs not an integer", yaml: "settings:\n  jobs: two\nstages:\n  a: {cmd: x}\n",
                  message: "settings.jobs must be an integer, found string 'two'", line: 2, column: 9),
    MalformedCase(name: "jobs zero", yaml: "settings: {jobs: 0}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.jobs must be at least 1, found 0", line: 1, column: 18),
    MalformedCase(name: "unknown device", yaml: "settings: {device: vulcan}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.device must be auto, cpu, vulkan or vulkan:N, found 'vulcan'", line: 1, column: 20,
                  hint: "did you mean 'vulkan'?"),
    MalformedCase(name: "seed is a float", yaml: "settings: {seed: 4.2}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.seed must be an integer, found number '4.2'", line: 1, column: 18),
    MalformedCase(name: "params not a mapping", yaml: "params: [lr]\nstages:\n  a: {cmd: x}\n",
                  message: "params must be a mapping, found a list", line: 1, column: 9),
    MalformedCase(name: "bad parameter name", yaml: "params:\n  learning-rate: 0.1\nstages:\n  a: {cmd: x}\n",
                  message: "'learning-rate' is not a valid parameter name", line: 2, column: 3),
    MalformedCase(name: "no stages key", yaml: "name: x\n", message: "the pipeline is empty: 'stages:' must declare at least one stage",
                  line: 1, column: 1),
    MalformedCase(name: "stages empty", yaml: "stages: {}\n", message: "the pipeline is empty", line: 1, column: 1),
    MalformedCase(name: "stages is a list", yaml: "stages:\n  - a\n", message: "stages must be a mapping, found a list", line: 2, column: 3),
    MalformedCase(name: "stage is a string", yaml: "stages:\n  a: echo hi\n",
                  message: "stage 'a' must be a mapping, found string 'echo hi'", line: 2, column: 6),
    MalformedCase(name: "stage with neither cmd nor uses", yaml: "stages:\n  a:\n    outs: [x]\n",
                  message: "stage 'a' has neither 'cmd:' (a shell command) nor 'uses:' (a built-in kind)", line: 2, column: 3),
    MalformedCase(name: "stage with both cmd and uses", yaml: "stages:\n  a:\n    cmd: x\n    uses: echo\n",
                  message: "stage 'a' has both 'cmd:' and 'uses:'", line: 4, column: 11),
    MalformedCase(name: "unknown stage key", yaml: "stages:\n  a:\n    cmd: x\n    dep: [prep.py]\n",
                  message: "unknown key 'dep' in stage 'a'", line: 4, column: 5, hint: "did you mean 'deps'?"),
    MalformedCase(name: "cmd is a list", yaml: "stages:\n  a:\n    cmd: [echo, hi]\n",
                  message: "cmd of stage 'a' must be a string, found a list", line: 3, column: 10),
    MalformedCase(name: "cmd is a number", yaml: "stages:\n  a:\n    cmd: 42\n",
                  message: "cmd of stage 'a' must be a string, found integer 42", line: 3, column: 10, hint: "quote it to use it as text"),
    MalformedCase(name: "deps is a string", yaml: "stages:\n  a:\n    cmd: x\n    deps: prep.py\n",
                  message: "deps of stage 'a' must be a list of strings, found string 'prep.py'", line: 4, column: 11),
    MalformedCase(name: "outs item is a mapping", yaml: "stages:\n  a:\n    cmd: x\n    outs:\n      - {path: x}\n",
                  message: "each item of outs of stage 'a' must be a string, found a mapping", line: 5, column: 9),
    MalformedCase(name: "needs names nothing", yaml: "stages:\n  prep: {cmd: x, outs: [p]}\n  train:\n    cmd: y\n    needs: [perp]\n",
                  message: "stage 'train' needs 'perp', but no stage has that name", line: 5, column: 13, hint: "did you mean 'prep'?"),
    MalformedCase(name: "needs itself", yaml: "stages:\n  a:\n    cmd: x\n    needs: [a]\n",
                  message: "stage 'a' needs itself", line: 4, column: 13),
    MalformedCase(name: "uses names no kind", yaml: "stages:\n  a:\n    uses: ecko\n",
                  message: "stage 'a' uses 'ecko', which is not a stage kind; known kinds: echo", line: 3, column: 11, hint: "did you mean 'echo'?"),
    MalformedCase(name: "with on a command stage", yaml: "stages:\n  a:\n    cmd: x\n    with: {lr: 1}\n",
                  message: "stage 'a' is a command stage; 'with:' is for built-in kinds", line: 4, column: 5),
    MalformedCase(name: "unknown option of a kind", yaml: "stages:\n  a:\n    uses: echo\n    with: {txt: hi}\n",
                  message: "unknown key 'txt' in with of stage 'a' (kind echo)", line: 4, column: 12, hint: "did you mean 'text'?"),
    MalformedCase(name: "option rejected by its kind", yaml: "stages:\n  a:\n    uses: echo\n    with:\n      times: 0\n",
                  message: "stage 'a': with.times: must be at least 1, found 0", line: 5, column: 14),
    MalformedCase(name: "cycle of two", yaml: "stages:\n  a: {cmd: x, needs: [b]}\n  b: {cmd: y, needs: [a]}\n",
                  message: "the stages form a cycle: a → b → a", line: 2, column: 3),
    MalformedCase(name: "cycle through files", yaml: """
        stages:
          a: {cmd: x, deps: [c.txt], outs: [a.txt]}
          b: {cmd: y, deps: [a.txt], outs: [b.txt]}
          c: {cmd: z, deps: [b.txt], outs: [c.txt]}
        """, message: "the stages form a cycle: a → c → b → a", line: 2, column: 3),
    MalformedCase(name: "two stages write one output", yaml: "stages:\n  a: {cmd: x, outs: [out.txt]}\n  b: {cmd: y, outs: [./out.txt]}\n",
                  message: "output './out.txt' is written by two stages: 'a' (pipeline.yaml:2:22) and 'b'", line: 3, column: 22),
    MalformedCase(name: "output inside another output", yaml: "stages:\n  a: {cmd: x, outs: [out]}\n  b: {cmd: y, outs: [out/model.bin]}\n",
                  message: "output 'out/model.bin' of stage 'b' lies inside output 'out' of stage 'a'", line: 3, column: 22),
    MalformedCase(name: "output outside the workspace", yaml: "stages:\n  a: {cmd: x, outs: [../elsewhere.txt]}\n",
                  message: "output '../elsewhere.txt' of stage 'a' is outside the workspace", line: 2, column: 22),
    MalformedCase(name: "absolute output", yaml: "stages:\n  a: {cmd: x, outs: [/tmp/x]}\n",
                  message: "output '/tmp/x' of stage 'a' is outside the workspace", line: 2, column: 22),
    MalformedCase(name: "output in .labmake", yaml: "stages:\n  a: {cmd: x, outs: [.labmake/x]}\n",
                  message: "output '.labmake/x' of stage 'a' is inside .labmake/", line: 2, column: 22),
    MalformedCase(name: "dependency that nothing provides", yaml: "stages:\n  a: {cmd: x, outs: [clean.csv]}\n  b: {cmd: y, deps: [clean.cvs]}\n",
                  message: "dependency 'clean.cvs' of stage 'b' is neither an existing file nor an output of any stage", line: 3, column: 22,
                  hint: "did you mean 'clean.csv'?"),
    MalformedCase(name: "stage reads its own output", yaml: "stages:\n  a: {cmd: x, deps: [a.txt], outs: [a.txt]}\n",
                  message: "stage 'a' both reads and writes 'a.txt'", line: 2, column: 22),
    MalformedCase(name: "params names an undefined parameter", yaml: "params: {lr: 0.1}\nstages:\n  a:\n    cmd: x\n    params: [lt]\n",
                  message: "stage 'a' reads parameter 'lt', which 'params:' at the top does not define", line: 5, column: 14, hint: "did you mean 'lr'?"),
    MalformedCase(name: "interpolation of an unread parameter", yaml: "params: {lr: 0.1}\nstages:\n  a:\n    cmd: train --lr ${params.lr}\n",
                  message: "cmd of stage 'a' uses ${params.lr}, but the stage reads no parameter 'lr'", line: 4, column: 10,
                  hint: "list it in the stage's params: [lr]"),
    MalformedCase(name: "unterminated interpolation", yaml: "params: {lr: 0.1}\nstages:\n  a:\n    cmd: train --lr ${params.lr\n    params: [lr]\n",
                  message: "unterminated '${params.' in cmd of stage 'a'", line: 4, column: 10),
    MalformedCase(name: "matrix value not a list", yaml: "stages:\n  a:\n    cmd: x\n    matrix: {lr: 0.1}\n",
                  message: "matrix.lr of stage 'a' must be a non-empty list of values, found number '0.1'", line: 4, column: 18),
    MalformedCase(name: "matrix with identical outputs", yaml: "stages:\n  a:\n    cmd: x ${params.lr}\n    matrix: {lr: [0.1, 0.2]}\n    outs: [model.bin]\n",
                  message: "output 'model.bin' is written by two stages: 'a@lr=0.1'", line: 5, column: 12),
    MalformedCase(name: "duplicate key", yaml: "stages:\n  a: {cmd: x}\n  a: {cmd: y}\n", message: "duplicate key 'a'", line: 2, column: 3),
    MalformedCase(name: "invalid stage name", yaml: "stages:\n  train model: {cmd: x}\n",
                  message: "'train model' is not a valid stage name", line: 2, column: 3),
    MalformedCase(name: "unknown --set parameter", yaml: "params: {lr: 0.1}\nstages:\n  a: {cmd: x, params: [lr]}\n",
                  message: "--set lrr=0.2: no parameter named 'lrr'", line: nil, column: nil, hint: "did you mean 'lr'?", overrides: ["lrr=0.2"]),
    MalformedCase(name: "--set option of a command stage", yaml: "stages:\n  a: {cmd: x}\n",
                  message: "--set a.lr=1: stage 'a' is a command stage and has no options", line: nil, column: nil, overrides: ["a.lr=1"]),
    MalformedCase(name: "--set option of an unknown stage", yaml: "stages:\n  tune: {uses: echo}\n",
                  message: "--set tnue.times=3: no stage named 'tnue'", line: nil, column: nil, hint: "did you mean 'tune'?", overrides: ["tnue.times=3"]),
    MalformedCase(name: "alias bomb under params", yaml: aliasBomb(under: "params:\n", indent: "  ") + "stages:\n  s: {cmd: x}\n",
                  message: "the pipeline file expands to more than 200000 values", line: 2, column: 7),
    MalformedCase(name: "alias bomb in a stage's with", yaml: "stages:\n  s:\n    uses: echo\n" + aliasBomb(under: "    with:\n", indent: "      "),
                  message: "the pipeline file expands to more than 200000 values", line: 5, column: 11),
    MalformedCase(name: "alias bomb in a matrix", yaml: "stages:\n  s:\n    cmd: x\n" + aliasBomb(under: "    matrix:\n", indent: "      "),
                  message: "the pipeline file expands to more than 200000 values", line: 5, column: 11),
    MalformedCase(name: "nesting past the limit", yaml: "params:\n  deep: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
                  + "\nstages:\n  s: {cmd: x}\n", message: "nests lists and mappings more than 64 deep", line: 2, column: 71),
    MalformedCase(name: "a matrix of a billion stages", yaml: "stages:\n  s:\n    cmd: x\n    matrix:\n"
                  + (0..<9).map { "      k\($0): [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n" }.joined(),
                  message: "the matrix of stage 's' makes more than 10000 stages", line: 5, column: 7),
    MalformedCase(name: "unknown executor", yaml: "settings: {executor: slrum}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.executor must be local or slurm, found 'slrum'", line: 1, column: 22, hint: "did you mean 'slurm'?"),
    MalformedCase(name: "unknown sbatch option", yaml: "settings:\n  slurm: {partion: gpu}\nstages:\n  a: {cmd: x}\n",
                  message: "unknown key 'partion' in settings.slurm", line: 2, column: 11, hint: "did you mean 'partition'?"),
    MalformedCase(name: "cpus not a count", yaml: "settings:\n  slurm: {cpus: 0}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.cpus must be between 1 and 100000, found 0", line: 2, column: 17),
    MalformedCase(name: "time not a duration", yaml: "settings:\n  slurm: {time: soon}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.time must be minutes (90) or a time such as \"2:00:00\"", line: 2, column: 17),
    MalformedCase(name: "gpus malformed", yaml: "settings:\n  slurm: {gpus: -1}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.gpus must be a count of GPUs (1) or TYPE:COUNT (a100:2)", line: 2, column: 17),
    MalformedCase(name: "memory malformed", yaml: "settings:\n  slurm: {memory: lots}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.memory must be an amount of memory such as 16G or 4000M", line: 2, column: 19),
    MalformedCase(name: "partition with a space", yaml: "settings:\n  slurm: {partition: 'gpu; rm'}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.partition must be one word, found 'gpu; rm'", line: 2, column: 22),
    MalformedCase(name: "flag that is no option", yaml: "settings:\n  slurm: {flags: [exclusive]}\nstages:\n  a: {cmd: x}\n",
                  message: "each item of settings.slurm.flags must be one sbatch option such as --constraint=v100, found 'exclusive'", line: 2, column: 19),
    MalformedCase(name: "poll interval too short", yaml: "settings:\n  slurm: {poll_interval: 0.1}\nstages:\n  a: {cmd: x}\n",
                  message: "settings.slurm.poll_interval must be seconds between 1 and 3600", line: 2, column: 26),
    MalformedCase(name: "stage executor unknown", yaml: "stages:\n  a: {cmd: x, executor: cluster}\n",
                  message: "executor of stage 'a' must be local or slurm, found 'cluster'", line: 2, column: 25),
    MalformedCase(name: "stage slurm not a mapping", yaml: "stages:\n  a: {cmd: x, slurm: gpu}\n",
                  message: "slurm of stage 'a' must be a mapping", line: 2, column: 22),
]

@Suite("Malformed pipelines")
struct MalformedPipelineTests {
    @Test("each is rejected with its message and location", arguments: malformedCases)
    func rejected(_ c: MalformedCase) throws {
        let overrides = try c.overrides.map { try Override(parsing: $0) }
        do {
            let pipeline = try loader().parse(c.yaml, file: "pipeline.yaml", workspaceRoot: "/ws", overrides: overrides)
            Issue.record("accepted a malformed pipeline with \(pipeline.stages.count) stages")
        } catch {
            let match = error.diagnostics.first { $0.message.contains(c.message) }
            guard let diagnostic = match else {
                Issue.record("no diagnostic says '\(c.message)'; got:\n\(error)")
                return
            }
            #expect(diagnostic.location?.line == c.line, "\(diagnostic)")
            #expect(diagnostic.location?.column == c.column, "\(diagnostic)")
            if let hint = c.hint { #expect(diagnostic.hint == hint, "\(diagnostic)") }
            if c.line != nil { #expect(diagnostic.location?.file == "pipeline.yaml") }
            #expect(!error.description.contains("Fatal"), "no stack traces for user mistakes")
        }
    }

    @Test("executor settings: the pipeline's, a stage's over them option by option, and never part of a stage's definition")
    func executorSettings() throws {
        let yaml = """
            settings: { executor: slurm, slurm: { partition: gpu, time: "2:00:00", gpus: 1, memory: 16G, flags: [--exclusive] } }
            stages:
              a: { cmd: x, slurm: { gpus: a100:2, cpus: 8 } }
              b: { cmd: y, executor: local }
              c: { cmd: z }
            """
        let pipeline = try loader().parse(yaml, file: "/ws/labmake.yaml", workspaceRoot: "/ws")
        let stages = Dictionary(uniqueKeysWithValues: pipeline.stages.map { ($0.name, $0) })
        let a = pipeline.settings.executor(for: stages["a"]!)
        #expect(a.isSlurm)
        #expect(a.slurm["gpus"] == .string("a100:2"))
        #expect(a.slurm["cpus"] == .int(8))
        #expect(a.slurm["partition"] == .string("gpu"))
        #expect(a.slurm["time"] == .string("2:00:00"))
        #expect(!pipeline.settings.executor(for: stages["b"]!).isSlurm)
        #expect(pipeline.settings.executor(for: stages["c"]!) == pipeline.settings.executor)
        let local = try loader().parse("stages:\n  a: { cmd: x }\n", file: "/ws/labmake.yaml", workspaceRoot: "/ws")
        #expect(StageFingerprint.definition(of: stages["a"]!, version: "1") == StageFingerprint.definition(of: local.stages[0], version: "1"))
    }

    @Test("the message quotes the offending line with a caret under the column")
    func quotesTheLine() throws {
        do {
            _ = try loader().parse("stages:\n  a:\n    cmd: x\n    dep: [prep.py]\n", file: "p.yaml", workspaceRoot: "/ws")
            Issue.record("accepted an unknown key")
        } catch {
            #expect(error.description.contains("p.yaml:4:5: error: unknown key 'dep' in stage 'a'"))
            #expect(error.description.contains("\n        dep: [prep.py]\n        ^"))
        }
    }

    @Test("every problem is reported, not only the first")
    func reportsAll() throws {
        do {
            _ = try loader().parse("settings: {jobs: 0}\nstages:\n  a: {cmd: x, dep: [y]}\n  b: {cmd: 3}\n", file: "p.yaml", workspaceRoot: "/ws")
            Issue.record("accepted")
        } catch {
            #expect(error.diagnostics.count == 3)
        }
    }
}
