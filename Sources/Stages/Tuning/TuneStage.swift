import Foundation
import NNI
import Pipeline
import SystemIO
import Randomness
import Training
import Tuner

/// The `tune` kind: automatic tuning over an NNI search space, trials run on top of the pipeline's
/// parameters (the baseline).
///
/// Options (`with:`): `search_space` — a `search_space.json` file in NNI's format, or the same
/// mapping inline; `tuner` (default `auto`: see ``TunerKind/resolved(budget:space:)``); `max_trials`
/// (default 20); `max_duration` (seconds after which no trial starts); `nni_config` — an NNI config file (v1 or v2) whose search space, trial
/// command and code directory, budget, tuner and assessor apply where `with:` says nothing; and the
/// trial options of ``TrialOptions``; `warm_start` — sweep and tune stage folders whose trials the
/// tuner learns from before its first trial (see ``WarmStart``); `min_budget`, `max_budget`, `eta`,
/// `exec_mode` — the budgets of the `hyperband` and `bohb` tuners (see ``FidelityOptions``). The experiment is stored in the
/// workspace database: a killed run resumes it, and raising `max_trials` runs only the new trials.
///
/// Writes `STAGE/trials.json` (each trial's sampled parameters, status, metric per epoch, duration)
/// and `STAGE/best.json` (the best trial's full parameters, baseline included).
public struct TuneStage: StageKind {
    public let name = "tune"
    public let version = "2"  // 2: mobilenet_v2 is torchvision's; images of any shape
    public var parameterUse: ParameterUse { .all }
    public var optionNames: [String]? { ["search_space", "tuner", "max_trials", "max_duration", "nni_config", "warm_start", "min_budget", "max_budget", "eta", "exec_mode"]
        + TrialOptions.names }

    public init() {}

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency] {
        let options = TuneOptions(stage.with)
        var dependencies = options.trials.dependencies
        if case .file(let path)? = options.space { dependencies.append(.init(option: "search_space", path: path)) }
        if let config = options.nniConfig { dependencies.append(.init(option: "nni_config", path: config)) }
        dependencies += options.warmStart.map { .init(option: "warm_start", path: $0) }
        return dependencies
    }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        let options = TuneOptions(stage.with, problems: &problems)
        if case .inline(let fields)? = options.space {
            do {
                let space = try SearchSpace.parse(fields.mapValues(TrialParameters.json), source: "search_space")
                if options.trials.trialCommand == nil { problems += Self.trainingProblems(space, stage: stage) }
            } catch {
                problems.append(.init(option: "search_space", message: "\(error)"))
            }
        }
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        var tune = TuneOptions(stage.with, problems: &problems)
        if let path = tune.nniConfig, problems.isEmpty {
            let file = path.hasPrefix("/") ? path : context.workspaceRoot + "/" + PathRules.normalized(path)
            do {
                let config = try NNIConfigReader.read(path: file, fileSystem: context.fileSystem)
                tune = try tune.applying(config, with: stage.with, fileSystem: context.fileSystem) { context.output("\(stage.name): \($0)") }
                if case .file(let space)? = config.searchSpace, stage.with["search_space"] == nil,
                   !Self.declares(stage, space, root: context.workspaceRoot) {
                    context.output("\(stage.name): note: \(space), the search space of \(path), is not in deps: editing it will not rerun "
                                   + "this stage; add it to deps (and the trial's code)")
                }
            } catch let error as NNIConfigError {
                throw StageFailure("with.nni_config:\n\(error)")
            }
        }
        let options = tune.trials
        let (tunerName, maxTrials, maxDuration) = (tune.tuner.rawValue, tune.maxTrials, tune.maxDuration)
        let space: SearchSpace, spaceText: String
        do {
            (space, spaceText) = try Self.space(tune.space, root: context.workspaceRoot, fileSystem: context.fileSystem)
        } catch {
            throw StageFailure("\(error)")
        }
        if options.trialCommand == nil { problems += Self.trainingProblems(space, stage: stage) }
        let tuner = tune.tuner.resolved(budget: maxTrials, space: space)
        guard problems.isEmpty else { throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; ")) }
        let baseline = TrialParameters.baseline(stage.params)
        let fidelity: MultiFidelity?
        do {
            let epochs = options.trialCommand == nil ? (try? TrialParameters.trainingConfig(baseline))?.epochs : nil
            fidelity = try tune.fidelity.fidelity(tuner: tuner, trainingEpochs: epochs)
            if let fidelity { try FidelityOptions.check(space, against: fidelity) }
        } catch {
            throw StageFailure("with: \(error)")
        }
        let sampler = tuner.makeSampler(evolutionPopulation: tune.evolutionPopulation, fidelity: fidelity)

        let experiment = try StageExperiment(stage: stage, context: context, options: options, baseline: baseline)
        let seed = options.seed ?? context.settings.seed
        var defining = ["tune", spaceText, tunerName, String(seed), options.maximize ? "max" : "min",
                        options.assessor == .none ? "" : options.assessor.rawValue]
        if options.assessor != .none && options.assessorStartStep > 0 { defining.append("start_step:\(options.assessorStartStep)") }
        if let population = tune.evolutionPopulation { defining.append("population:\(population)") }
        if let fidelity { defining.append(FidelityOptions.identity(fidelity)) }
        let warm = try WarmStart(folders: tune.warmStart, space: space, baseline: baseline, maximize: options.maximize,
                                 root: context.workspaceRoot, fileSystem: context.fileSystem)
        // The warm trials are the stage's inputs, in its trials' keys already; their configurations, in its name.
        if let identity = warm.identity { defining.append(identity) }
        let name = experiment.experimentName(defining: defining)
        let picked = tune.tuner == .auto ? " (auto: \(TunerKind.autoReason(budget: maxTrials, space: space).reason))" : ""
        context.output("\(stage.name): \(tuner.rawValue)\(picked) over "
                       + "\(space.parameters.map(\.name).joined(separator: ", ")), \(maxTrials) trials (experiment \(name))")
        if let fidelity { context.output("\(stage.name): \(fidelity.summary)") }
        for line in warm.summary { context.output("\(stage.name): \(line)") }
        let trials = try experiment.run(name: name, space: space, sampler: sampler, maxTrials: maxTrials, maxDuration: maxDuration,
                                        warmStart: warm.priors, budgetParameter: fidelity?.parameter)
        // best.json's parameters are what a retraining needs: the baseline with the trial's on top (and
        // the baseline's epochs, not the budget a multi-fidelity tuner gave the trial).
        _ = try experiment.write(trials, budgetParameter: fidelity?.parameter, describe: { best in
            best.tuner = tuner.rawValue
            best.experiment = name
        }, fullParameters: { sampled in
            guard options.trialCommand == nil else { return sampled }
            return baseline.merging(fidelity.map { $0.base(of: sampled) } ?? sampled)
        })
    }

    /// Whether the stage reads `path` (absolute) through its deps: the file itself or a folder above it.
    static func declares(_ stage: StageDefinition, _ path: String, root: String) -> Bool {
        stage.deps.contains { dep in
            let full = dep.hasPrefix("/") ? PathRules.normalized(dep) : root + "/" + PathRules.normalized(dep)
            return path == full || path.hasPrefix(full + "/")
        }
    }

    /// The search space and its canonical text, from the file or the inline mapping.
    static func space(_ source: TuneOptions.SpaceSource?, root: String, fileSystem: any FileSystem) throws -> (SearchSpace, String) {
        switch source {
        case .file(let path)?:
            let full = path.hasPrefix("/") ? path : root + "/" + PathRules.normalized(path)
            guard let bytes = try? fileSystem.readFile(full) else { throw TunerError("cannot read the search space \(path)") }
            return (try SearchSpace.parse(Data(bytes), source: path), String(decoding: bytes, as: UTF8.self))
        case .inline(let fields)?:
            return (try SearchSpace.parse(fields.mapValues(TrialParameters.json), source: "search_space"), ConfigValue.object(fields).canonicalJSON)
        case .json(let text, let source)?:
            return (try SearchSpace.parse(Data(text.utf8), source: source), text)
        case nil:
            throw TunerError("with.search_space: a search_space.json file or an inline mapping is required")
        }
    }

    /// Parameters of the space that built-in training cannot take, checked on a draw from the space.
    static func trainingProblems(_ space: SearchSpace, stage: StageDefinition) -> [StageOptionProblem] {
        var random = SplitMix64(seed: 1)
        let draws = (0..<8).map { _ in space.sample(using: &random) }
        return TrialOptions.trainingProblems(baseline: TrialParameters.baseline(stage.params), option: "search_space", draws)
    }
}
