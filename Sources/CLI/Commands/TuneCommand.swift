import ArgumentParser
import Foundation
import Pipeline
import Stages
import SystemIO
import Executors
import NNI
import Training
import Tuner

/// `labmake tune`: a stand-alone tuning experiment over an NNI search space, trials as commands.
struct TuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Tune hyperparameters over an NNI search space: a command per trial, or a built-in model trained per trial.",
        discussion: """
            A trial command runs as NNI runs trial commands: an unmodified NNI trial script (nni.get_next_parameter(), \
            nni.report_intermediate_result(), nni.report_final_result()) receives its parameters and reports its \
            results. Each trial gets a folder of its own (NNI_SYS_DIR) with parameter.cfg, and its parameters as JSON \
            in LABMAKE_TRIAL_PARAMETERS; a command that does not use NNI prints metrics as lines of JSON, \
            {"default": 0.93}, or bare numbers, the last one final. --nni-config reads an NNI config file (v1 or v2: \
            search space, trial command and code directory, budget, tuner, assessor); options given here override it. \
            Trials are stored in .labmake/state.db of the current directory: running the same experiment again \
            resumes it (finished trials kept, unfinished ones rerun), and a raised --max-trials runs only the new \
            trials. --warm-start names earlier experiments of this workspace (as labmake trials lists them, imported \
            NNI experiments included; a tune stage's name stands for its latest) whose trials, where they are points \
            of the search space, the tuner learns from before its first trial; a configuration among them is not run \
            again. Their metric must be this experiment's. With --model and --data, each trial trains the model with \
            its parameters as training settings (see labmake train) and reports the test accuracy after every epoch. \
            Exits 1 when no trial succeeded.
            """)

    @Option(help: ArgumentHelp("An NNI experiment config file (config.yml, NNI v1 or v2).", valueName: "file"))
    var nniConfig: String?

    @Option(help: "The search space, NNI's search_space.json format (default: the NNI config's).")
    var searchSpace: String?

    @Option(help: "The command each trial runs (default: the NNI config's trialCommand).")
    var trialCommand: String?

    @Option(help: "Instead of a command per trial, one process that reads a JSON line of parameters per trial on standard input and answers one metric line.")
    var trialServer: String?

    @Option(help: "Instead of a command, train this built-in model per trial (see labmake train).")
    var model: String?

    @Option(help: "With --model: a CIFAR-10 binary archive (.tar.gz) or its extracted folder, or a folder of MNIST-style IDX files.")
    var data: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("With --model: a training setting under every trial's parameters.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(help: "The tuner (sampler) (default: auto, the GP sampler or TPE by the budget and the share of choices in the space, as the tuner benchmark found best).")
    var tuner: TunerKind?

    @Option(help: "With --tuner hyperband or bohb: the smallest budget a trial gets (default: 1).")
    var minBudget: Double?

    @Option(help: "With --tuner hyperband or bohb: the largest budget, in epochs with --model (default: its epochs), else in NNI's TRIAL_BUDGET (default: NNI's, 60 for Hyperband and 3 for BOHB).")
    var maxBudget: Double?

    @Option(help: "With --tuner hyperband or bohb: each rung keeps 1/eta of its trials for eta times the budget (default: 3).")
    var eta: Int?

    @Option(help: "Trials in all (default: 20, or the NNI config's maxTrialNumber).")
    var maxTrials: Int?

    @Option(help: "Trials run at the same time (default: 1).")
    var concurrency: Int?

    @Option(help: "Seconds after which no new trial starts.")
    var maxDuration: Double?

    @Option(help: "Seconds after which a trial is killed and counted as failed.")
    var trialTimeout: Double?

    @Option(help: "Seed of the tuner (default: 0).")
    var seed: UInt64?

    @Option(help: "Whether a larger or a smaller metric is better (default: maximize, or NNI's default for the config's tuner).")
    var direction: Direction?

    @Option(help: "What judges trials from their intermediate results (default: none).")
    var assessor: Assessor?

    @Option(help: "Intermediate results a trial reports before the assessor judges it (NNI's start_step; default: 0).")
    var assessorStartStep: Int?

    @Option(help: ArgumentHelp("An experiment of this workspace whose trials the tuner starts from (repeatable).", valueName: "experiment"))
    var warmStart: [String] = []

    @Option(help: "The experiment's name (default: derived from the space, command, tuner, seed, direction and warm start).")
    var name: String?

    @Option(help: "Write the trial log here: one JSON object per trial ({\"parameters\", \"value\", \"suggest_s\"}).")
    var log: String?

    @Flag(help: "Print the trials as JSON.")
    var json = false

    @Flag(help: "Fail at once, instead of waiting, when another labmake run or experiment holds the workspace.")
    var noWait = false

    func run() throws {
        let terminal = Terminal(stderr: true)
        let config = try readNNIConfig(terminal: terminal)
        let trialCommand = self.trialCommand ?? (trialServer == nil && model == nil ? config?.trialCommand : nil)
        guard [trialCommand != nil, trialServer != nil, model != nil].filter({ $0 }).count == 1 else {
            throw LabmakeExit(ExitStatus.invalid, "error: give one of --trial-command, --trial-server and --model"
                              + (config == nil ? "" : " (the NNI config has no trialCommand)"))
        }
        guard (model == nil) == (data == nil) else {
            throw LabmakeExit(ExitStatus.invalid, "error: --model trains on --data (a CIFAR-10 binary archive or folder, or a folder of IDX files); give both")
        }
        guard let maxTrials = maxTrials ?? config.map({ $0.maxTrialNumber }) ?? 20 else {
            throw LabmakeExit(ExitStatus.invalid, "error: \(config!.file): no maxTrialNumber (maxTrialNum in v1): labmake needs a budget; "
                              + "give maxTrialNumber in the config, or --max-trials")
        }
        let concurrency = concurrency ?? config?.trialConcurrency ?? 1
        guard maxTrials >= 1, concurrency >= 1 else { throw LabmakeExit(ExitStatus.invalid, "error: --max-trials and --concurrency must be ≥ 1") }
        let startStep = assessorStartStep ?? config?.assessorStartStep ?? 0
        guard startStep >= 0 else { throw LabmakeExit(ExitStatus.invalid, "error: --assessor-start-step must be ≥ 0") }
        let tuner = tuner ?? config?.tuner ?? .auto
        let seed = seed ?? config?.seed ?? 0
        let assessor = assessor ?? config?.assessor ?? Assessor.none
        let maxDuration = maxDuration ?? config?.maxExperimentDuration
        let trialTimeout = trialTimeout ?? config?.maxTrialDuration
        let direction = direction ?? config?.direction ?? .maximize
        if let config {
            terminal.print(config.summary(tuner: tuner, direction: direction, directionSource: self.direction != nil ? "--direction" : nil,
                                          assessor: assessor, startStep: startStep))
        }
        let space: SearchSpace, sampler: any Sampler
        let fidelity: MultiFidelity?
        let text: Data
        do {
            let source: String
            if let searchSpace {
                guard let data = FileManager.default.contents(atPath: searchSpace) else { throw TunerError("cannot read \(searchSpace)") }
                (text, source) = (data, searchSpace)
            } else if case .file(let path)? = config?.searchSpace {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw TunerError("cannot read \(path), the search space of \(config!.file)")
                }
                (text, source) = (data, path)
            } else if case .inline(let json)? = config?.searchSpace {
                (text, source) = (Data(json.utf8), config!.file + ": searchSpace")
            } else {
                throw TunerError("give --search-space" + (config == nil ? "" : " (the NNI config has no searchSpaceFile)"))
            }
            space = try SearchSpace.parse(text, source: source)
            let budgets = FidelityOptions(minBudget: minBudget, maxBudget: maxBudget, eta: eta).over(config?.fidelity ?? FidelityOptions())
            let modelEpochs = settings.compactMap { $0.hasPrefix("epochs=") ? Int($0.dropFirst(7)) : nil }.last ?? TrainingConfig().epochs
            fidelity = try budgets.fidelity(tuner: tuner, trainingEpochs: model == nil ? nil : modelEpochs)
            if let fidelity {
                try FidelityOptions.check(space, against: fidelity)
                terminal.print("tuner: \(tuner.rawValue), \(fidelity.summary)")
            }
            sampler = tuner.resolved(budget: maxTrials, space: space).makeSampler(evolutionPopulation: config?.populationSize, fidelity: fidelity)
            if tuner == .auto {
                let (kind, reason) = TunerKind.autoReason(budget: maxTrials, space: space)
                terminal.print("tuner: \(kind.rawValue) (auto: \(reason))")
            }
        } catch let error as TunerError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        let directory = FileManager.default.currentDirectoryPath
        let codeDirectory = config?.trialCodeDirectory ?? directory
        let workspace: Workspace
        do {
            workspace = try Workspace(root: directory)
        } catch let error as WorkspaceError {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: cannot open the workspace state in \(Workspace.stateDirectoryPath(root: directory)): \(error)")
        }
        // One experiment at a time per workspace, as for runs: a second `labmake tune` waits, then
        // reuses the first one's trials instead of running them again.
        let lock = try PipelineLocator.lock(workspace, noWait: noWait, terminal: terminal)
        defer { withExtendedLifetime(lock) {} }
        let warm = try warmStartTrials(space: space, database: workspace.database)
        for line in warm.summary { terminal.print(line) }
        let cancelled = Locked(false)
        let runner: any TrialRunner, identity: String
        var server: ServerTrialRunner?
        let scratch = workspace.scratchDirectory(for: "tune")
        // The experiment's name: --name, or derived from what defines it apart from its budget.
        func defaultName(_ identity: String) -> String {
            var parts = [String(decoding: text, as: UTF8.self), tuner.rawValue, String(seed), direction.rawValue]
            if assessor != .none { parts.append("\(assessor.rawValue):\(startStep)") }
            if let population = config?.populationSize { parts.append("population:\(population)") }
            if let fidelity { parts.append(FidelityOptions.identity(fidelity)) }
            if let identity = warm.identity { parts.append(identity) }
            return name ?? TuningSession.name(prefix: config?.experimentName.map { $0 + "#" } ?? "tune-", identity: identity, defining: parts)
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
                                                isCancelled: { cancelled.withLock { $0 } }, waiting: { terminal.print(terminal.paint("warning: " + $0, .yellow)) })
            (runner, identity, server) = (started, "server:" + trialServer, started)
        } else {
            identity = "command:" + trialCommand! + (codeDirectory == directory ? "" : "\ncode:" + codeDirectory)
            // Commands from an NNI config run with bash, as NNI runs them.
            let shell = config != nil ? NNITrialProtocol.shell(fileSystem: workspace.fileSystem) : "/bin/sh"
            runner = CommandTrialRunner(command: trialCommand!, directory: codeDirectory, timeout: trialTimeout,
                                        executor: LocalJobExecutor(launcher: workspace.launcher), fileSystem: workspace.fileSystem,
                                        trialsDirectory: scratch + "/trials", environment: config?.trialEnvironment ?? [:], shell: shell,
                                        isCancelled: { cancelled.withLock { $0 } })
        }
        let experimentName = defaultName(identity)
        let store = WorkspaceTrialStore(database: workspace.database)
        let settings = ExperimentSettings(name: experimentName, maxTrials: maxTrials, maxDuration: maxDuration, concurrency: concurrency,
                                          maximize: direction.maximizes, seed: seed, assessor: assessor,
                                          assessorStartStep: startStep, trialIdentity: identity, warmStart: warm.priors,
                                          budgetParameter: fidelity?.parameter)
        var session = TuningSession(space: space, sampler: sampler, runner: runner, settings: settings, store: store)
        session.controls = WorkspaceControlQueue(database: workspace.database, log: { terminal.print($0) })
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
            }
        }
        guard best != nil else {
            let errors = Set(trials.compactMap(\.error)).sorted().prefix(3).joined(separator: "; ")
            throw LabmakeExit(ExitStatus.stageFailed, "error: no trial succeeded (\(trials.count) trials)" + (errors.isEmpty ? "" : ": \(errors)"))
        }
    }

    /// The trials of the `--warm-start` experiments, as points of `space`.
    private func warmStartTrials(space: SearchSpace, database: StateDatabase) throws -> WarmStart {
        var warm = WarmStart()
        guard !warmStart.isEmpty else { return warm }
        let names = try database.experiments().map(\.name)
        let store = WorkspaceTrialStore(database: database)
        for name in warmStart {
            guard let experiment = TrialsWorkspace.experiment(name, among: names) else {
                throw LabmakeExit(ExitStatus.invalid, "error: --warm-start \(name): no experiment of that name in this workspace"
                                  + (NearestName.hint(name, among: names).map { "; \($0)" } ?? "") + " (labmake trials lists them)")
            }
            warm.take(try store.trials(experiment: experiment), from: experiment, space: space)
        }
        return warm
    }

    /// The NNI config file, read; its ignored keys named in one line.
    private func readNNIConfig(terminal: Terminal) throws -> NNIExperimentConfig? {
        guard let nniConfig else { return nil }
        let path = nniConfig.hasPrefix("/") ? nniConfig : FileManager.default.currentDirectoryPath + "/" + nniConfig
        do {
            let config = try NNIConfigReader.read(path: URL(fileURLWithPath: path).standardizedFileURL.path, fileSystem: LocalFileSystem())
            if let notice = config.ignoredNotice { terminal.print("note: " + notice) }
            return config
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "\(error)")
        }
    }
}
