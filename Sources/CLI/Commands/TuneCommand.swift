import ArgumentParser
import Foundation
import Pipeline
import Stages
import SystemIO
import Executors
import Training
import Tuner

/// `labmake tune`: a stand-alone tuning experiment over an NNI search space, trials as commands.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune hyperparameters over an NNI search space: a command per trial, or a built-in model trained per trial.",
        discussion: """
            Each trial's parameters are written as JSON to a file whose path is appended to the command and
            set in LABMAKE_TRIAL_PARAMETERS. The command prints metrics as lines of
            JSON, {"default": 0.93}, or bare numbers; the last is final. Trials are stored in .labmake/state.db
            of the current directory: running the same experiment again resumes it (finished trials kept,
            unfinished ones rerun), and a raised --max-trials runs only the new trials.
            With --model and --data, each trial trains the model with its parameters as training settings
            (see labmake train) and reports the test accuracy after every epoch.
            """)

    @Option(help: "The search space, NNI's search_space.json format.")
    var searchSpace: String

    @Option(help: "The command each trial runs (the parameters file path is appended).")
    var trialCommand: String?

    @Option(help: "Instead of a command per trial, one process that reads a JSON line of parameters per trial on standard input and answers one metric line.")
    var trialServer: String?

    @Option(help: "Instead of a command, train this built-in model per trial (see labmake train).")
    var model: String?

    @Option(help: "With --model: a CIFAR-10 binary archive (.tar.gz) or its extracted folder.")
    var data: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("With --model: a training setting under every trial's parameters.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(help: "The tuner (sampler).")
    var tuner = TunerKind.tpe

    @Option(help: "Trials in all.")
    var maxTrials = 20

    @Option(help: "Trials run at the same time.")
    var concurrency = 1

    @Option(help: "Seconds after which no new trial starts.")
    var maxDuration: Double?

    @Option(help: "Seconds after which a trial is killed and counted as failed.")
    var trialTimeout: Double?

    @Option(help: "Seed of the tuner.")
    var seed: UInt64 = 0

    @Option(help: "Whether a larger or a smaller metric is better.")
    var direction = Direction.maximize

    @Option(help: "What judges trials from their intermediate results.")
    var assessor = Assessor.none

    @Option(help: "The experiment's name (default: derived from the space, command, tuner, seed and direction).")
    var name: String?

    @Option(help: "Write the trial log here: one JSON object per trial ({\"parameters\", \"value\", \"suggest_s\"}).")
    var log: String?

    @Flag(help: "Print the trials as JSON.")
    var json = false

    @Flag(help: "Fail at once, instead of waiting, when another labmake run or experiment holds the workspace.")
    var noWait = false

    func run() throws {
        guard [trialCommand != nil, trialServer != nil, model != nil].filter({ $0 }).count == 1 else {
            throw LabmakeExit(ExitStatus.invalid, "error: give one of --trial-command, --trial-server and --model")
        }
        guard (model == nil) == (data == nil) else {
            throw LabmakeExit(ExitStatus.invalid, "error: --model trains on --data (a CIFAR-10 binary archive or folder); give both")
        }
        guard maxTrials >= 1, concurrency >= 1 else { throw LabmakeExit(ExitStatus.invalid, "error: --max-trials and --concurrency must be ≥ 1") }
        let space: SearchSpace, sampler: any Sampler
        let text: Data
        do {
            guard let data = FileManager.default.contents(atPath: searchSpace) else { throw TunerError("cannot read \(searchSpace)") }
            text = data
            space = try SearchSpace.parse(data, source: searchSpace)
            sampler = tuner.makeSampler()
        } catch let error as TunerError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        let directory = FileManager.default.currentDirectoryPath
        let workspace: Workspace
        do {
            workspace = try Workspace(root: directory)
        } catch let error as WorkspaceError {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: cannot open the workspace state in \(Workspace.stateDirectoryPath(root: directory)): \(error)")
        }
        let terminal = Terminal(stderr: true)
        // One experiment at a time per workspace, as for runs: a second `labmake tune` waits, then
        // reuses the first one's trials instead of running them again.
        let lock = try PipelineLocator.lock(workspace, noWait: noWait, terminal: terminal)
        defer { withExtendedLifetime(lock) {} }
        let cancelled = Locked(false)
        let runner: any TrialRunner, identity: String
        var server: ServerTrialRunner?
        let scratch = workspace.scratchDirectory(for: "tune")
        // The experiment's name: --name, or derived from what defines it apart from its budget.
        func defaultName(_ identity: String) -> String {
            name ?? TuningSession.name(prefix: "tune-", identity: identity,
                                       defining: [String(decoding: text, as: UTF8.self), tuner.rawValue, String(seed), direction.rawValue])
        }
        if let model, let data {
            try ComputeDevice.activate("auto", threads: nil)
            var baseline = Configuration(values: ["model": .string(model)])
            for setting in settings {
                guard let equals = setting.firstIndex(of: "=") else { throw LabmakeExit(ExitStatus.invalid, "error: --set \(setting): expected NAME=VALUE") }
                baseline.values[String(setting[..<equals])] = .string(String(setting[setting.index(after: equals)...]))
            }
            do {
                (runner, identity) = try BuiltInTrials.runner(data: data, baseline: baseline, workDirectory: scratch + "/trials",
                                                              log: { terminal.print($0) })
            } catch let error as TrainingError {
                throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
            } catch {
                throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
            }
        } else if let trialServer {
            let started = try ServerTrialRunner(command: trialServer, directory: directory, timeout: trialTimeout,
                                                isCancelled: { cancelled.withLock { $0 } })
            (runner, identity, server) = (started, "server:" + trialServer, started)
        } else {
            identity = "command:" + trialCommand!
            // Each experiment's trial folders apart, so that two experiments never share a trial-N.
            runner = CommandTrialRunner(command: trialCommand!, directory: directory, timeout: trialTimeout,
                                        executor: LocalJobExecutor(launcher: workspace.launcher), fileSystem: workspace.fileSystem,
                                        scratchDirectory: scratch + "/" + PathRules.safeFileName(defaultName(identity)),
                                        isCancelled: { cancelled.withLock { $0 } })
        }
        let experimentName = defaultName(identity)
        let store = WorkspaceTrialStore(database: workspace.database)
        let settings = ExperimentSettings(name: experimentName, maxTrials: maxTrials, maxDuration: maxDuration, concurrency: concurrency,
                                          maximize: direction.maximizes, seed: seed, medianStop: assessor == .medianstop,
                                          trialIdentity: identity)
        let session = TuningSession(space: space, sampler: sampler, runner: runner, settings: settings, store: store)
        // Ctrl-C: no new trial starts, and the running ones are stopped (their whole process groups).
        let interrupts = InterruptHandler { [launcher = workspace.launcher, server] in
            cancelled.withLock { $0 = true }
            terminal.print("interrupted: stopping the running trials; finished trials are kept and a rerun resumes the experiment")
            launcher.terminateAll()
            server?.stop()
        }
        defer { server?.stop() }
        let (trials, best) = try session.run(isCancelled: { cancelled.withLock { $0 } }) { trial, progress in
            terminal.print(progress.line(for: trial))
        }
        withExtendedLifetime(interrupts) {}
        if cancelled.withLock({ $0 }) { throw LabmakeExit(ExitStatus.interrupted, "") }
        if let log { try TrialOutput.writeLog(trials, to: log) }
        if json { print(TrialOutput.json(trials, experiment: experimentName)) } else {
            terminal.print("experiment \(experimentName): \(trials.count) trials")
            if let best {
                print("best: \(String(format: "%.6g", best.metric ?? .nan)) (trial \(best.number)) \(best.configuration.json)")
            } else {
                print("no trial succeeded")
            }
        }
    }
}

/// Trials as a log, JSON or CSV.
enum TrialOutput {
    static func writeLog(_ trials: [TrialRecord], to path: String) throws {
        let lines = trials.map { t -> String in
            let value = t.metric.map { $0.isFinite ? String($0) : "null" } ?? "null"
            return "{\"parameters\": \(t.configuration.json), \"value\": \(value), \"suggest_s\": \(t.suggestSeconds), \"status\": \"\(t.status.rawValue)\"}"
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func json(_ trials: [TrialRecord], experiment: String) -> String {
        let encoder = WorkspaceTrialStore.encoder
        let body = (try? encoder.encode(trials)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "{\"experiment\": \"\(experiment)\", \"trials\": \(body)}"
    }

    static func csv(_ trials: [TrialRecord]) -> String {
        let names = Array(Set(trials.flatMap { $0.configuration.values.keys })).sorted()
        var lines = [(["trial", "status", "metric", "seconds"] + names + ["error"]).joined(separator: ",")]
        for t in trials {
            let fields = [String(t.number), t.status.rawValue, t.metric.map { String($0) } ?? "", t.seconds.map { String(format: "%.3f", $0) } ?? ""]
                + names.map { t.configuration[$0]?.description ?? "" } + [t.error ?? ""]
            lines.append(fields.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
