import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `labmake status`: which stages are stale, and exactly why.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show which stages are up to date and why the others are stale.")

    @Argument(help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (NAME=VALUE) or a stage option (STAGE.KEY=VALUE).", valueName: "K=V"))
    var overrides: [String] = []

    @Flag(help: "Print JSON on standard output.")
    var json = false

    func run() throws {
        let path = try PipelineLocator.path(file)
        let pipeline = try PipelineLocator.load(path, overrides: overrides, cached: true)
        let graph = pipeline.graph
        let workspace = try PipelineLocator.workspace(for: path)
        let runner = Runner(graph: graph, workspace: workspace, kinds: StageKinds.registry,
                            settings: pipeline.settings, observer: SilentObserver())
        let summary: RunSummary
        do { summary = try runner.run(RunOptions(dryRun: true)) } catch let error as RunnerError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        }
        if json {
            let stages = summary.outcomes.map { outcome -> ConfigValue in
                var fields: [String: ConfigValue] = [
                    "name": .string(outcome.name),
                    "status": .string(outcome.status == .cached ? "up-to-date" : outcome.status == .stale ? "stale" : outcome.status.rawValue),
                    "reasons": .array(outcome.reasons.map { .string($0) }),
                    "why": JSONOutput.why(outcome),
                ]
                if let error = outcome.error { fields["error"] = .string(error) }
                return .object(fields)
            }
            print(ConfigValue.object(["stages": .array(stages)]).canonicalJSON)
            return
        }
        let terminal = Terminal(stderr: false)
        let width = summary.outcomes.map(\.name.count).max() ?? 0
        for outcome in summary.outcomes {
            let name = outcome.name.padding(toLength: width, withPad: " ", startingAt: 0)
            switch outcome.status {
            case .cached: terminal.print(terminal.paint("✓ \(name)", .green) + "  up to date")
            case .stale:
                terminal.print(terminal.paint("✗ \(name)", .yellow) + "  stale: " + outcome.reasons.joined(separator: "; "))
            default:
                terminal.print(terminal.paint("! \(name)", .red) + "  " + (outcome.error ?? outcome.reasons.joined(separator: "; ")))
            }
        }
        let stale = summary.outcomes.filter { $0.status != .cached }.count
        terminal.print(stale == 0 ? "everything is up to date" : "\(stale) of \(summary.outcomes.count) stages would run")
    }
}

/// Ignores a run's progress (status only wants the verdicts).
struct SilentObserver: RunObserver {
    func stageStarted(_ name: String, reasons: [StaleReason]) {}
    func stageOutput(_ name: String, line: String) {}
    func stageFinished(_ outcome: StageOutcome) {}
}
