import Foundation
import Pipeline
import Tuner

/// Runs an experiment for a `sweep` or `tune` stage: trials stored in the workspace database (so a
/// killed run resumes and a trial seen before is reused), a progress line per trial, and the
/// stage's `trials.json` and `best.json`.
struct StageExperiment {
    let stage: StageDefinition
    let context: StageContext
    let options: TrialOptions
    let runner: any TrialRunner
    let identity: String

    /// - Parameter baseline: the settings under each trial's parameters, for built-in training trials.
    init(stage: StageDefinition, context: StageContext, options: TrialOptions, baseline: Configuration) throws {
        self.stage = stage
        self.context = context
        self.options = options
        (runner, identity) = try options.runner(stage: stage, context: context, baseline: baseline)
    }

    /// The experiment's name in the store: the stage's name and a digest of what defines the
    /// experiment apart from its budget, so that raising `max_trials` resumes it and changing the
    /// space, the sampler or the baseline starts another.
    func experimentName(defining parts: [String]) -> String {
        TuningSession.name(prefix: stage.name + "#", identity: identity, defining: parts)
    }

    /// Runs trials from `sampler` until `maxTrials` are over and returns every trial of the experiment.
    func run(name: String, space: SearchSpace, sampler: any Sampler, maxTrials: Int, maxDuration: Double? = nil,
             warmStart: [PriorTrial] = [], budgetParameter: String? = nil) throws -> [TrialRecord] {
        let settings = ExperimentSettings(name: name, maxTrials: maxTrials, maxDuration: maxDuration, concurrency: options.concurrency,
                                          maximize: options.maximize, seed: UInt64(options.seed ?? context.settings.seed),
                                          assessor: options.assessor, assessorStartStep: options.assessorStartStep,
                                          trialIdentity: identity, warmStart: warmStart, budgetParameter: budgetParameter)
        var session = TuningSession(space: space, sampler: sampler, runner: runner, settings: settings,
                                    store: WorkspaceTrialStore(database: context.database))
        session.controls = WorkspaceControlQueue(database: context.database, log: context.output)
        let (trials, _) = try session.run(isCancelled: context.isCancelled) { [context] trial, progress in
            context.output(progress.line(for: trial))
        }
        if context.isCancelled() {
            if context.settings.executor(for: stage).isSlurm {
                throw StageFailure("interrupted; finished trials are kept, running trials go on as Slurm jobs: `labmake run` again "
                                   + "re-attaches to them and resumes the experiment, `labmake cancel \(stage.name)` cancels them")
            }
            throw StageFailure("interrupted; finished trials are kept and the next run resumes the experiment")
        }
        return trials
    }

    /// Writes `STAGE/trials.json` (every trial, with its label) and `STAGE/best.json` (the best
    /// succeeded trial — at the largest budget reached, with `budgetParameter` — its parameters completed
    /// by `fullParameters`, with what `describe` adds of the experiment); fails the stage when no trial succeeded.
    func write(_ trials: [TrialRecord], labels: [Configuration: (label: String, parameter: String?)] = [:], budgetParameter: String? = nil,
               describe: (inout BestTrial) -> Void = { _ in },
               fullParameters: (Configuration) -> Configuration = { $0 }) throws -> TrialRecord {
        let folder = context.workspaceRoot + "/" + PathRules.normalized(stage.outs.first ?? stage.name)
        let entries = trials.map { t in
            TrialsFile.Entry(number: t.number, key: t.key, status: t.status, parameters: t.configuration.values,
                             intermediates: t.intermediates, reused: t.reused, metric: t.metric, seconds: t.seconds, error: t.error,
                             label: labels[t.configuration]?.label, parameter: labels[t.configuration]?.parameter,
                             droppedIntermediates: t.droppedIntermediates)
        }
        try TrialsFile(trials: entries).write(to: folder, fileSystem: context.fileSystem)
        let succeeded = trials.filter { $0.status == .succeeded && $0.metric != nil }
        guard let best = trials.best(maximize: options.maximize, budgetParameter: budgetParameter), let metric = best.metric
        else {
            let errors = Set(trials.compactMap(\.error)).sorted().prefix(3).joined(separator: "; ")
            throw StageFailure("no trial succeeded (\(trials.count) trials)" + (errors.isEmpty ? "" : ": \(errors)"))
        }
        var summary = BestTrial(
            stage: stage.name, trial: best.number, metric: metric, direction: Direction(maximize: options.maximize),
            parameters: fullParameters(best.configuration).values, sampledParameters: best.configuration.values,
            trials: trials.count, succeeded: succeeded.count, trialSeconds: trials.compactMap(\.seconds).reduce(0, +))
        describe(&summary)
        try summary.write(to: folder, fileSystem: context.fileSystem)
        context.output(String(format: "%@: best %.6g (trial %d) of %d trials: %@", stage.name, metric, best.number, trials.count,
                              best.configuration.json))
        return best
    }
}
