import ArgumentParser
import Foundation
import Pipeline
import Stages
import Tuner

/// `labmake trials`: the trials of an experiment (or stage) in this workspace.
struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "List the trials of a tuning experiment stored in this workspace.",
        discussion: """
            Without a name, lists the experiments. A stage's name (sweep, tune) shows its latest experiment.
            Statuses are NNI's: WAITING, RUNNING, SUCCEEDED, FAILED, EARLY_STOPPED, USER_CANCELED.
            """)

    @Argument(help: "The experiment, or the sweep or tune stage, by name.")
    var experiment: String?

    @Option(name: [.customShort("f"), .customLong("pipeline")], help: "The pipeline file whose workspace to read (default: the current directory's).")
    var pipeline: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print CSV.")
    var csv = false

    func run() throws {
        let root = pipeline.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
        let path = Workspace.databasePath(root: root)
        guard FileManager.default.fileExists(atPath: path) else {
            throw LabmakeExit(ExitStatus.invalid, "error: no labmake workspace in \(root) (\(path) is missing)")
        }
        let database = try StateDatabase(path: path)
        guard let experiment else {
            for (name, count) in try database.experiments() { print("\(name)\t\(count) trials") }
            return
        }
        let experiments = try database.experiments().map(\.name)
        let name = experiments.contains(experiment) ? experiment : experiments.first { $0.hasPrefix(experiment + "#") } ?? experiment
        let trials = try WorkspaceTrialStore(database: database).trials(experiment: name)
        guard !trials.isEmpty else {
            throw LabmakeExit(ExitStatus.invalid, "error: no experiment '\(experiment)' in \(root)"
                              + (experiments.isEmpty ? "" : " (experiments: \(experiments.joined(separator: ", ")))"))
        }
        if json { print(TrialOutput.json(trials, experiment: name)); return }
        if csv { print(TrialOutput.csv(trials)); return }
        for t in trials {
            let metric = t.metric.map { String(format: "%.6g", $0) } ?? "-"
            let seconds = t.seconds.map(formatDuration) ?? "-"
            print("#\(t.number)\t\(t.status.rawValue)\t\(metric)\t\(seconds)\t\(t.configuration.json)" + (t.error.map { "\t\($0)" } ?? ""))
        }
    }
}
