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
        discussion: "Without a name, lists the experiments. Statuses are NNI's: WAITING, RUNNING, SUCCEEDED, FAILED, EARLY_STOPPED.")

    @Argument(help: "The experiment (or tune stage) name.")
    var experiment: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Print CSV.")
    var csv = false

    func run() throws {
        let path = FileManager.default.currentDirectoryPath + "/.labmake/state.db"
        guard FileManager.default.fileExists(atPath: path) else {
            throw LabmakeExit(ExitStatus.invalid, "error: no labmake workspace here (.labmake/state.db is missing)")
        }
        let database = try StateDatabase(path: path)
        guard let experiment else {
            for (name, count) in try database.experiments() { print("\(name)\t\(count) trials") }
            return
        }
        let trials = try WorkspaceTrialStore(database: database).trials(experiment: experiment)
        guard !trials.isEmpty else {
            let known = try database.experiments().map(\.name)
            throw LabmakeExit(ExitStatus.invalid, "error: no experiment '\(experiment)'" + (known.isEmpty ? "" : " (experiments: \(known.joined(separator: ", ")))"))
        }
        if json { print(TrialOutput.json(trials, experiment: experiment)); return }
        if csv { print(TrialOutput.csv(trials)); return }
        for t in trials {
            let metric = t.metric.map { String(format: "%.6g", $0) } ?? "-"
            let seconds = t.seconds.map(formatDuration) ?? "-"
            print("#\(t.number)\t\(t.status.rawValue)\t\(metric)\t\(seconds)\t\(t.configuration.json)" + (t.error.map { "\t\($0)" } ?? ""))
        }
    }
}
