import Foundation
import Pipeline
import SystemIO
import Training
import Tuner

/// The `train` kind: one training run, from the pipeline's parameters or from the best configuration
/// that earlier `sweep` and `tune` stages found, usually trained longer.
///
/// Options (`with:`): `from` — a list of `sweep`/`tune` output folders whose `best.json` compete (the
/// best metric wins; without `from`, the pipeline's parameters are trained); `set` — settings on top
/// (e.g. `{epochs: 30}`); `data` — the dataset stage's folder (default `data`). Evaluates on the test set.
///
/// Writes `STAGE/model.safetensors`, `STAGE/metrics.json` (per-epoch metrics, final test accuracy) and
/// `STAGE/config.json` (the settings and where they came from). A killed run resumes at its last
/// epoch from a checkpoint kept in the stage's scratch folder. Under a Slurm executor the training runs as
/// one batch job (``TrainingJob``), with the stage's sbatch options.
public struct TrainStage: StageKind {
    public let name = "train"
    public let version = "2"  // 2: mobilenet_v2 is torchvision's; images of any shape
    public var parameterUse: ParameterUse { .all }
    public var optionNames: [String]? { ["from", "set", "data"] }

    public init() {}

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency] {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        return [StageOptionDependency(option: "data", path: options.data)] + options.from.map { StageOptionDependency(option: "from", path: $0) }
    }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        problems += TrialOptions.trainingProblems(baseline: TrialParameters.baseline(stage.params), option: "set", [options.overrides])
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        let options = Options(stage.with, problems: &problems)
        guard problems.isEmpty else { throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; ")) }
        var configuration = TrialParameters.baseline(stage.params)
        var origin = RetrainConfig.Origin.params
        if let best = try Self.best(of: options.from, root: context.workspaceRoot, fileSystem: context.fileSystem) {
            configuration = configuration.merging(Configuration(values: best.parameters))
            origin = .trial(stage: best.stage, trial: best.trial, metric: best.metric)
            context.output("\(stage.name): the best configuration is \(best.stage)'s trial \(best.trial) (\(String(format: "%.6g", best.metric)))")
        }
        configuration = configuration.merging(options.overrides)
        let config: TrainingConfig
        do { config = try TrialParameters.trainingConfig(configuration) } catch { throw StageFailure("\(error)") }

        let data = context.workspaceRoot + "/" + PathRules.normalized(options.data)
        // The scratch folder of this training, named after what it trains: a killed run of the same
        // configuration on the same data resumes there. Its key needs the dataset's small files only.
        let digest = try LabDataset.digest(folder: data, fileSystem: context.fileSystem)
        let work = context.scratchDirectory + "/" + TrialKey.of(configuration, identity: digest).prefix(16)
        try context.fileSystem.createDirectory(work)
        let result: TrainingResult
        if context.settings.executor(for: stage).isSlurm {
            result = try TrainingJob.run(stage, context: context, configuration: configuration, data: data, work: work)  // the job loads the images
        } else {
            try StageDevice.activate(context.settings.device, log: context.output)
            let dataset = try LabDataset.open(folder: data, fileSystem: context.fileSystem, log: context.output)
            result = try train(config, dataset: dataset, work: work, context: context)
        }
        switch result.status {
        case .completed: break
        case .stopped: throw StageFailure("interrupted after epoch \(result.epochs.count); the next run resumes from its checkpoint")
        case .diverged: throw StageFailure("training diverged: \(result.message ?? "the loss is not finite")")
        }
        let folder = context.workspaceRoot + "/" + PathRules.normalized(stage.outs.first ?? stage.name)
        try context.fileSystem.createDirectory(folder)
        for file in ["model.safetensors", "metrics.json"] {
            try context.fileSystem.copyFile(from: work + "/" + file, to: folder + "/" + file, executable: false)
        }
        try RetrainConfig(parameters: configuration.values, from: origin, evaluatedOn: "test")
            .write(to: folder, fileSystem: context.fileSystem)
        try context.fileSystem.removeItem(work)
        context.output(String(format: "%@: test accuracy %.2f%% after %d epochs", stage.name, result.finalAccuracy * 100, result.epochs.count))
    }

    /// Trains in this process, in `work`.
    private func train(_ config: TrainingConfig, dataset: LabDataset, work: String, context: StageContext) throws -> TrainingResult {
        var trainer = Trainer(config: config, train: dataset.train, test: dataset.test, classes: dataset.classNames.count, directory: work,
                              fileSystem: context.fileSystem)
        let cancelled = context.isCancelled
        trainer.onEpoch = { [context] m in
            context.output(Self.epochLine(m, epochs: config.epochs))
            return !cancelled()
        }
        let result = try trainer.run()
        if result.resumedEpochs > 0 { context.output("resumed after epoch \(result.resumedEpochs)") }
        return result
    }

    /// An epoch's line in the stage's output.
    static func epochLine(_ m: EpochMetrics, epochs: Int) -> String {
        String(format: "epoch %d/%d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | %.0f img/s | %@", m.epoch,
               epochs, m.trainLoss, m.trainAccuracy * 100, m.testLoss, m.testAccuracy * 100, m.imagesPerSecond,
               ExperimentProgress.duration(m.seconds))
    }

    /// The best of the `best.json` files in `folders`, by the first one's direction.
    static func best(of folders: [String], root: String, fileSystem: any FileSystem) throws -> BestTrial? {
        let candidates = try folders.map { try BestTrial.read($0, root: root, fileSystem: fileSystem) }
        let maximize = candidates.first?.direction.maximizes ?? true
        return candidates.reduce(nil) { (best: BestTrial?, c) in
            guard let b = best else { return c }
            return (maximize ? c.metric > b.metric : c.metric < b.metric) ? c : b
        }
    }

    /// The options, read.
    struct Options {
        var from: [String] = []
        var overrides = Configuration(values: [:])
        var data = "data"

        init(_ with: [String: ConfigValue], problems: inout [StageOptionProblem]) {
            data = OptionReader(with).string("data", &problems) ?? "data"
            from = OptionReader(with).folders("from", what: "sweep or tune stage folders", &problems)
            switch with["set"] {
            case nil: break
            case .object(let fields)?:
                guard case .nested(let values)? = TrialParameters.value(.object(fields)) else {
                    problems.append(.init(option: "set", message: "must map settings to single values, found \(ConfigValue.object(fields))"))
                    break
                }
                overrides = Configuration(values: values)
            case let other?: problems.append(.init(option: "set", message: "must map settings to values, e.g. {epochs: 30}, found \(other.typeName)"))
            }
        }
    }
}
