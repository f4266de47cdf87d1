import Foundation
import Pipeline
import Training
import Tuner

/// The `sweep` kind: the lab's manual hyperparameter sweep from the pipeline's parameters (the baseline).
///
/// Options (`with:`): `strategy` — `one-at-a-time` (the default: the baseline, then each value of
/// each parameter with the others at the baseline, then the best value of every parameter combined,
/// then `combine`'s configurations) or `grid` (every combination); `vary` — a mapping from parameter
/// to the list of values to try; `combine` — a list of mappings, each a change to the baseline tried
/// after the combined best; and the trial options of ``TrialOptions``.
///
/// Writes `STAGE/trials.json` (each trial with its label: `baseline`, `initial_lr=0.01`, `combined best`…)
/// and `STAGE/best.json` (the best trial's full parameters, and each parameter's best value).
public struct SweepStage: StageKind {
    public let name = "sweep"
    public let version = "2"  // 2: mobilenet_v2 is torchvision's; images of any shape
    public var parameterUse: ParameterUse { .all }
    public var optionNames: [String]? { ["strategy", "vary", "combine"] + TrialOptions.names }

    public init() {}

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency] { TrialOptions(stage.with).dependencies }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        let options = TrialOptions(stage.with, problems: &problems)
        guard let sweep = Self.sweep(stage, problems: &problems) else { return problems }
        if options.trialCommand == nil {
            problems += TrialOptions.trainingProblems(baseline: sweep.baseline, option: "vary",
                                                      sweep.vary.flatMap { p in p.values.map { Configuration(values: [p.name: $0]) } })
            problems += TrialOptions.trainingProblems(baseline: Configuration(values: [:]), option: "combine", sweep.combinations)
        }
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        let options = TrialOptions(stage.with, problems: &problems)
        guard let sweep = Self.sweep(stage, problems: &problems), problems.isEmpty else {
            throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; "))
        }
        let experiment = try StageExperiment(stage: stage, context: context, options: options, baseline: Configuration(values: [:]))
        let name = experiment.experimentName(defining: [
            "sweep", sweep.strategy.rawValue, sweep.baseline.json, sweep.combinations.map(\.json).joined(separator: ";"),
            sweep.vary.map { "\($0.name)=\($0.values.map(\.description).joined(separator: ","))" }.joined(separator: ";"),
        ])
        let first = sweep.firstRound
        context.output("\(stage.name): \(sweep.strategy.rawValue) over \(sweep.vary.map(\.name).joined(separator: ", ")): \(first.count) configurations")
        var trials = try experiment.run(name: name, space: SearchSpace(parameters: []), sampler: BatchSampler(first.map(\.configuration)),
                                        maxTrials: first.count)
        var metrics: [Configuration: Double] = [:]
        for t in trials where t.status == .succeeded { if let m = t.metric { metrics[t.configuration] = m } }
        let second = sweep.combineBest(metrics, maximize: options.maximize)
        if !second.isEmpty {
            context.output("\(stage.name): combining the best values: \(second.count) more configurations")
            trials = try experiment.run(name: name, space: SearchSpace(parameters: []),
                                        sampler: BatchSampler((first + second).map(\.configuration)), maxTrials: first.count + second.count)
            for t in trials where t.status == .succeeded { if let m = t.metric { metrics[t.configuration] = m } }
        }
        var labels: [Configuration: (label: String, parameter: String?)] = [:]
        for point in (first + second).reversed() { labels[point.configuration] = (point.label, point.parameter) }
        let bestValues = sweep.bestValues(metrics, maximize: options.maximize)
        _ = try experiment.write(trials, labels: labels) { best in
            best.strategy = sweep.strategy.rawValue
            best.baseline = sweep.baseline.values
            best.vary = Dictionary(uniqueKeysWithValues: sweep.vary.map { ($0.name, $0.values) })
            best.bestValues = Dictionary(uniqueKeysWithValues: bestValues.map { ($0.name, $0.value) })
        }
    }

    /// The sweep the options describe, or nil with problems.
    static func sweep(_ stage: StageDefinition, problems: inout [StageOptionProblem]) -> Sweep? {
        let strategyName = OptionReader(stage.with).string("strategy", &problems) ?? Sweep.Strategy.oneAtATime.rawValue
        guard let strategy = Sweep.Strategy(rawValue: strategyName) else {
            problems.append(.init(option: "strategy", message: "must be \(Sweep.Strategy.allCases.map(\.rawValue).joined(separator: " or ")), found '\(strategyName)'"))
            return nil
        }
        guard case .object(let varyFields)? = stage.with["vary"], !varyFields.isEmpty else {
            problems.append(.init(option: "vary", message: "must map each parameter to the list of values to try, e.g. {initial_lr: [0.01, 0.1]}"))
            return nil
        }
        var vary: [(name: String, values: [ParameterValue])] = []
        for (name, list) in varyFields.sorted(by: { $0.key < $1.key }) {
            guard case .array(let items) = list, !items.isEmpty, case let values = items.compactMap(TrialParameters.value),
                  values.count == items.count else {
                problems.append(.init(option: "vary", message: "'\(name)' must be a non-empty list of values, found \(list)"))
                return nil
            }
            vary.append((name, values))
        }
        var combinations: [Configuration] = []
        if let combine = stage.with["combine"] {
            guard case .array(let items) = combine else {
                problems.append(.init(option: "combine", message: "must be a list of mappings of parameter values, found \(combine.typeName)"))
                return nil
            }
            for item in items {
                guard case .object = item, let value = TrialParameters.value(item), case .nested(let fields) = value else {
                    problems.append(.init(option: "combine", message: "each entry must be a mapping of parameter values, found \(item)"))
                    return nil
                }
                combinations.append(Configuration(values: fields))
            }
        }
        return Sweep(strategy: strategy, baseline: TrialParameters.baseline(stage.params), vary: vary, combinations: combinations)
    }
}
