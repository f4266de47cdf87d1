import Executors
import Foundation
import Pipeline
import SystemIO
import Tuner
import Training

/// The options that `sweep` and `tune` stages share: what a trial runs and how trials are run.
///
/// - `data`: the output folder of a dataset stage (`cifar10`, `mnist`, `fashion-mnist`, `kmnist`; default `data`); built-in training trials train on it.
/// - `trial_command`: a command per trial instead of built-in training (NNI's `trialCommand`).
/// - `concurrency` (default 1), `trial_timeout` (seconds), `direction` (`maximize`, the default, or
///   `minimize`), `assessor` (`medianstop`, `asha` or `none`), `assessor_start_step` (NNI's `start_step`: results
///   a trial reports before the assessor judges it, default 0; ASHA's first rung), `seed` (default: the pipeline's).
struct TrialOptions {
    static let names = ["data", "trial_command", "concurrency", "trial_timeout", "direction", "assessor", "assessor_start_step", "seed"]

    var data: String?
    var trialCommand: String?
    var concurrency = 1
    var trialTimeout: Double?
    var direction = Direction.maximize
    var assessor = Assessor.none
    var assessorStartStep = 0
    var seed: Int?
    /// Where command trials run, workspace-relative or absolute (default: the workspace root).
    var codeDirectory: String?
    /// Variables command trials get (`CUDA_VISIBLE_DEVICES` from an NNI config).
    var environment: [String: String] = [:]
    /// The shell of command trials.
    var shell = "/bin/sh"

    var maximize: Bool { direction.maximizes }

    /// Reads the options, adding a problem for each malformed one.
    init(_ with: [String: ConfigValue], problems: inout [StageOptionProblem]) {
        let options = OptionReader(with)
        trialCommand = options.string("trial_command", &problems)
        data = options.string("data", &problems) ?? (trialCommand == nil ? "data" : nil)
        concurrency = options.int("concurrency", minimum: 1, &problems) ?? 1
        trialTimeout = options.number("trial_timeout", positive: true, &problems)
        seed = options.int("seed", minimum: 0, &problems)
        direction = options.choice("direction", &problems) ?? .maximize
        assessor = options.choice("assessor", &problems) ?? .none
        assessorStartStep = options.int("assessor_start_step", minimum: 0, &problems) ?? 0
    }

    init(_ with: [String: ConfigValue]) {
        var ignored: [StageOptionProblem] = []
        self.init(with, problems: &ignored)
    }

    /// Why built-in training cannot run `baseline` or any of `configurations` on top of it: the first
    /// problem of each, under `option` (the baseline's under `trial_command`, the way out).
    static func trainingProblems(baseline: Configuration, option: String, _ configurations: [Configuration]) -> [StageOptionProblem] {
        do {
            _ = try TrialParameters.trainingConfig(baseline)
        } catch {
            return [.init(option: "trial_command", message: "the pipeline's params are the baseline of built-in training trials, "
                          + "but \(error.message); give trial_command to run trials of your own")]
        }
        for configuration in configurations {
            do {
                _ = try TrialParameters.trainingConfig(baseline.merging(configuration))
            } catch {
                return [.init(option: option, message: error.message)]
            }
        }
        return []
    }

    var dependencies: [StageOptionDependency] { data.map { [StageOptionDependency(option: "data", path: $0)] } ?? [] }

    /// The trial runner, with what identifies its trials (part of every trial key): built-in training
    /// on the `data` folder, with `baseline` under each trial's parameters, or the command, which gets
    /// the trial's parameters alone (as NNI's trials do) and is keyed on the content of everything the
    /// stage reads (its code and data), so that editing the trial's script runs its trials again.
    ///
    /// Under a Slurm executor every trial is a batch job: a command trial runs its command there, and a
    /// built-in one runs `labmake trial-exec` with the same identity, so its key and result are the same
    /// as on this machine.
    func runner(stage: StageDefinition, context: StageContext, baseline: Configuration) throws -> (runner: any TrialRunner, identity: String) {
        let executor = StageJobExecutor.make(for: stage, context: context)
        if let trialCommand {
            let directory = codeDirectory.map { $0.hasPrefix("/") ? $0 : context.workspaceRoot + "/" + PathRules.normalized($0) }
                ?? context.workspaceRoot
            var runner = CommandTrialRunner(
                command: trialCommand, directory: directory, timeout: trialTimeout,
                executor: executor, fileSystem: context.fileSystem,
                trialsDirectory: context.scratchDirectory + "/trials", environment: environment, shell: shell,
                isCancelled: context.isCancelled)
            let code = directory == context.workspaceRoot ? "" : "\ncode:" + directory
            runner.log = context.output
            return (runner, "command:" + trialCommand + code + "\ninputs:" + context.inputDigest)
        }
        let folder = context.workspaceRoot + "/" + PathRules.normalized(data ?? "data")
        if context.settings.executor(for: stage).isSlurm {
            let digest = try LabDataset.digest(folder: folder, fileSystem: context.fileSystem)
            let baselineFile = context.scratchDirectory + "/baseline.json"
            try context.fileSystem.writeText(baselineFile, baseline.json)
            var runner = CommandTrialRunner(
                command: BuiltInTrialJob.command(data: folder, baselineFile: baselineFile, device: context.settings.device),
                directory: context.workspaceRoot, timeout: trialTimeout, executor: executor, fileSystem: context.fileSystem,
                trialsDirectory: context.scratchDirectory + "/trials", isCancelled: context.isCancelled)
            runner.log = context.output
            return (runner, "train:\(TrainingTrialIdentity.version):" + digest + ":" + baseline.json)
        }
        try StageDevice.activate(context.settings.device, log: context.output)
        let dataset = try LabDataset.open(folder: folder, fileSystem: context.fileSystem, log: context.output)
        let runner = TrainingTrialRunner(dataset: dataset, baseline: baseline, workDirectory: context.scratchDirectory + "/trials",
                                         fileSystem: context.fileSystem, isCancelled: context.isCancelled)
        return (runner, "train:\(TrainingTrialIdentity.version):" + dataset.digest + ":" + baseline.json)
    }
}

/// The version of built-in training trials: bump it when training changes its results, so trials rerun.
enum TrainingTrialIdentity {
    static let version = "2"  // 2: mobilenet_v2 is torchvision's
}
