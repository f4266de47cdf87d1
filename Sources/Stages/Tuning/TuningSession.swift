import Tuner

/// One tuning experiment, however it was started (a `tune` or `sweep` stage, or `labmake tune`): what
/// it samples, what its trials run, where they are stored, and how it is named and run.
public struct TuningSession {
    public var space: SearchSpace
    public var sampler: any Sampler
    public var runner: any TrialRunner
    /// The budget, direction, seed and assessor; its name is the experiment's identity in the store.
    public var settings: ExperimentSettings
    public var store: any TrialStore
    /// Where requests to the running experiment wait (`labmake serve --control`); nil: none are taken.
    public var controls: (any ExperimentControlQueue)?

    public init(space: SearchSpace, sampler: any Sampler, runner: any TrialRunner, settings: ExperimentSettings, store: any TrialStore) {
        self.space = space
        self.sampler = sampler
        self.runner = runner
        self.settings = settings
        self.store = store
    }

    /// The name of the experiment that `parts` define with trials of `identity`: `prefix` and a digest
    /// of everything but the budget, so that raising `max_trials` resumes it and changing the space,
    /// the sampler, the seed or what trials run starts another.
    public static func name(prefix: String, identity: String, defining parts: [String]) -> String {
        prefix + TrialKey.of(Configuration(values: [:]), identity: ([identity] + parts).joined(separator: "\u{1}")).prefix(12)
    }

    /// Runs the experiment to its budget (see ``Experiment``); returns every trial and the best.
    public func run(isCancelled: @escaping () -> Bool,
                    onTrialEnd: @escaping (TrialRecord, ExperimentProgress) -> Void) throws -> (trials: [TrialRecord], best: TrialRecord?) {
        let experiment = Experiment(settings: settings, space: space, sampler: sampler, runner: runner, store: store)
        experiment.isCancelled = isCancelled
        experiment.onTrialEnd = onTrialEnd
        experiment.controls = controls
        let trials = try experiment.run()
        return (trials, experiment.best)
    }
}
