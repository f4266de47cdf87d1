import ArgumentParser
import Foundation
import NNI
import Pipeline
import Stages
import Tuner

/// `labmake trials`: the trials of the tuning experiments stored in this workspace, and NNI experiments imported into it.
struct TrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trials",
        abstract: "List the trials of a tuning experiment stored in this workspace, or import an NNI experiment's.",
        subcommands: [ListTrialsCommand.self, ImportTrialsCommand.self],
        defaultSubcommand: ListTrialsCommand.self)
}

/// `labmake trials [NAME]`.
struct ListTrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the experiments, or the trials of one.",
        discussion: """
            Without a name, lists the experiments. A stage's name (sweep, tune) shows its latest experiment.
            Statuses are NNI's: WAITING, RUNNING, SUCCEEDED, FAILED, EARLY_STOPPED, USER_CANCELED; an early-stopped \
            trial shows its last intermediate result and the step it stopped at; a trial run as a Slurm job shows \
            the job's id, Slurm state and node. --json and --csv export the trials \
            with the columns of `nnictl experiment export` (parameter, value or reward, trialJobId, intermediate), \
            then labmake's (trial, status, seconds, error).
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
        let database = try TrialsWorkspace.database(pipeline: pipeline)
        let experiments = try database.experiments()
        guard let experiment else {
            if json {
                struct Row: Encodable { var experiment: String; var trials: Int }
                let rows = experiments.map { Row(experiment: $0.name, trials: $0.trials) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                print(String(decoding: try encoder.encode(rows), as: UTF8.self))
            } else {
                for (name, count) in experiments { print("\(name)\t\(count) trials") }
            }
            return
        }
        let names = experiments.map(\.name)
        let name = TrialsWorkspace.experiment(experiment, among: names) ?? experiment
        let trials = try WorkspaceTrialStore(database: database).trials(experiment: name)
        guard !trials.isEmpty else {
            throw LabmakeExit(ExitStatus.invalid, "error: no experiment '\(experiment)' in this workspace"
                              + (names.isEmpty ? "" : " (experiments: \(names.joined(separator: ", ")))"))
        }
        if json { print(TrialExport.json(trials)); return }
        if csv { print(TrialExport.csv(trials)); return }
        for t in trials {
            var metric = t.metric.map { String(format: "%.6g", $0) } ?? "-"
            if t.status == .earlyStopped, t.metric == nil, let last = t.intermediates.last {
                metric = String(format: "%.6g at step %d", last, t.intermediates.count)
            }
            let seconds = t.seconds.map(formatDuration) ?? "-"
            // A trial run as a cluster job says which, in what state, where: `job 41 RUNNING on gpu07`.
            let job = t.placement.map { "\tjob \($0.job) \($0.state)" + ($0.node.isEmpty ? "" : " on \($0.node)") } ?? ""
            print("#\(t.number)\t\(t.status.rawValue)\t\(metric)\t\(seconds)\(job)\t\(t.configuration.json)" + (t.error.map { "\t\($0)" } ?? ""))
        }
    }
}

/// `labmake trials import PATH`.
struct ImportTrialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an NNI experiment's trials into this workspace, as the experiment nni-ID.",
        discussion: """
            PATH is an NNI experiment folder (~/nni-experiments/ID), its db folder, or its db/nni.sqlite; NNI 1.x to 3.0.
            Each trial keeps its parameters, status, intermediate and final results, times and NNI trial id; importing \
            again replaces the earlier import. NNI does not need to be installed.
            """)

    @Argument(help: "The NNI experiment folder, or its nni.sqlite.")
    var path: String

    @Option(name: [.customShort("f"), .customLong("pipeline")], help: "The pipeline file whose workspace to import into (default: the current directory's).")
    var pipeline: String?

    func run() throws {
        let experiment: NNIExperimentDatabase
        do {
            experiment = try NNIExperimentDatabase.read(path)
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        let database = try TrialsWorkspace.database(pipeline: pipeline, create: true)
        try database.removeTrials(experiment: experiment.labmakeName)
        let store = WorkspaceTrialStore(database: database)
        for trial in experiment.trials { try store.save(trial, experiment: experiment.labmakeName) }
        let succeeded = experiment.trials.filter { $0.status == .succeeded && $0.metric != nil }
        let maximize = (experiment.direction ?? .maximize).maximizes
        // An NNI Hyperband or BOHB experiment's trials carry their budget: its best is the best at the largest budget.
        let budgeted = !experiment.trials.isEmpty && experiment.trials.allSatisfy { $0.configuration[MultiFidelity.trialBudget] != nil }
        let best = experiment.trials.best(maximize: maximize, budgetParameter: budgeted ? MultiFidelity.trialBudget : nil)
        print("imported NNI experiment \(experiment.id)" + (experiment.experimentName.map { " (\($0))" } ?? "")
              + " as \(experiment.labmakeName): \(experiment.trials.count) trials, \(succeeded.count) succeeded"
              + (best.map { String(format: "; best %.6g (%@)", $0.metric!, $0.jobID) } ?? ""))
    }
}

/// The workspace database that `labmake trials` and `labmake log --trial` read.
enum TrialsWorkspace {
    /// The experiment `name` stands for: itself, or the latest experiment of the stage `name` (`name#digest`),
    /// `names` being the experiments latest first.
    static func experiment(_ name: String, among names: [String]) -> String? {
        names.contains(name) ? name : names.first { $0.hasPrefix(name + "#") }
    }

    /// The workspace root: the pipeline file's folder, or the current directory.
    static func root(pipeline: String?) -> String {
        pipeline.map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
    }

    static func database(pipeline: String?, create: Bool = false) throws -> StateDatabase {
        let root = root(pipeline: pipeline)
        if create {
            do {
                return try Workspace(root: root).database
            } catch {
                throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
            }
        }
        let path = Workspace.databasePath(root: root)
        guard FileManager.default.fileExists(atPath: path) else {
            throw LabmakeExit(ExitStatus.invalid, "error: no labmake workspace in \(root) (\(path) is missing)")
        }
        return try StateDatabase(path: path)
    }
}
