import ArgumentParser
import SystemIO
import Foundation
import Pipeline
import Stages

/// `labmake run`: brings the pipeline's stages up to date.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Bring the pipeline's stages up to date, running only what changed.",
        discussion: """
            FILE defaults to labmake.yaml in the current directory. Naming stages runs them and what they \
            need. Each stage's output is saved to .labmake/logs/STAGE.log.
            """)

    @Argument(help: ArgumentHelp("The pipeline file, then the stages to run.", valueName: "FILE] [STAGE"))
    var arguments: [String] = []

    @Flag(help: "Run the selected stages even if they are up to date.")
    var force = false

    @Flag(name: .customLong("dry-run"), help: "Say what would run, and why; run nothing.")
    var dryRun = false

    @Option(name: [.short, .long], help: "How many stages may run at once (default: settings.jobs, else one per core).")
    var jobs: Int?

    @Flag(name: [.short, .customLong("keep-going")], help: "After a failure, go on with the stages that do not depend on it.")
    var keepGoing = false

    @Flag(name: .customLong("no-wait"), help: "Fail at once if another run holds the workspace, instead of waiting.")
    var noWait = false

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (NAME=VALUE) or a stage option (STAGE.KEY=VALUE).", valueName: "K=V"))
    var overrides: [String] = []

    @Flag(help: "Print one JSON object describing the run on standard output.")
    var json = false

    @Flag(name: [.short, .long], help: "Also list stages that are up to date.")
    var verbose = false

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    func run() throws {
        let timer = PhaseTimer.shared
        let (file, targets) = splitArguments(arguments)
        let path = try PipelineLocator.path(file)
        let pipeline = try PipelineLocator.load(path, overrides: overrides, cached: true)
        timer.lap("load")
        let graph = pipeline.graph
        timer.lap("graph")
        let workspace = try PipelineLocator.workspace(for: path)
        timer.lap("open")
        let terminal = Terminal(stderr: json)

        let lock = dryRun ? nil : try PipelineLocator.lock(workspace, noWait: noWait, terminal: terminal)
        defer { withExtendedLifetime(lock) {} }

        let observer = ConsoleObserver(terminal: terminal, verbose: verbose || dryRun)
        let runner = Runner(graph: graph, workspace: workspace, kinds: StageKinds.registry,
                            settings: pipeline.settings, observer: observer)
        let interrupts = InterruptHandler { runner.interrupt() }
        let options = RunOptions(targets: targets, jobs: jobs ?? pipeline.settings.jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                                 force: force, keepGoing: keepGoing, dryRun: dryRun)
        let start = Date()
        let summary: RunSummary
        do {
            summary = try runner.run(options)
        } catch RunnerError.unknownTarget(let name) {
            throw LabmakeExit(ExitStatus.invalid, "error: no stage named '\(name)'; stages: \(graph.stages.map(\.name).joined(separator: ", "))")
        } catch let error as RunnerError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        }
        withExtendedLifetime(interrupts) {}
        timer.lap("run")

        if json {
            print(JSONOutput.run(summary))
        }
        if dryRun {
            for outcome in summary.outcomes where outcome.status == .stale {
                terminal.print(terminal.paint("would run \(outcome.name)", .bold) + terminal.paint("  (\(outcome.reasons.joined(separator: "; ")))", .dim))
            }
        }
        terminal.print(Self.summaryLine(summary, seconds: Date().timeIntervalSince(start), terminal: terminal))
        if summary.interrupted { throw LabmakeExit(ExitStatus.interrupted, "interrupted") }
        if !summary.ok { throw LabmakeExit(ExitStatus.stageFailed) }
    }

    /// The file is the first argument when it names a YAML file or an existing file.
    private func splitArguments(_ arguments: [String]) -> (String?, [String]) {
        guard let first = arguments.first else { return (nil, []) }
        if first.hasSuffix(".yaml") || first.hasSuffix(".yml") || LocalFileSystem().stat(first)?.kind == .file {
            return (first, Array(arguments.dropFirst()))
        }
        return (nil, arguments)
    }

    static func summaryLine(_ summary: RunSummary, seconds: Double, terminal: Terminal) -> String {
        var counts: [StageStatus: Int] = [:]
        for outcome in summary.outcomes { counts[outcome.status, default: 0] += 1 }
        let order: [(StageStatus, String)] = [(.executed, "executed"), (.restored, "restored"), (.stale, "would run"),
                                               (.cached, "up to date"), (.failed, "failed"), (.skipped, "skipped")]
        let parts = order.compactMap { status, label in counts[status].map { "\($0) \(label)" } }
        let text = (parts.isEmpty ? "nothing to do" : parts.joined(separator: ", ")) + " in \(formatDuration(seconds))"
        return summary.ok ? terminal.paint(text, .bold) : terminal.paint(text, .red)
    }
}
