import Tuner

/// `best.json`, written by a `sweep` or `tune` stage: its best trial, with the parameters a retraining
/// needs, and what the experiment was.
struct BestTrial: StageFile, Equatable {
    static let fileName = "best.json"
    static let writtenBy = "a sweep or tune stage"

    /// The stage that ran the experiment.
    var stage: String
    /// The best trial's number.
    var trial: Int
    var metric: Double
    var direction: Direction
    /// The best trial's parameters over the baseline: what to train with.
    var parameters: [String: ParameterValue]
    /// The parameters the trial was given.
    var sampledParameters: [String: ParameterValue]
    /// Trials in all, and those that succeeded.
    var trials: Int
    var succeeded: Int
    /// Seconds all trials took, added up.
    var trialSeconds: Double

    // MARK: A sweep's

    /// `one-at-a-time` or `grid`.
    var strategy: String?
    var baseline: [String: ParameterValue]?
    /// The values tried for each parameter.
    var vary: [String: [ParameterValue]]?
    /// Each varied parameter's best value.
    var bestValues: [String: ParameterValue]?

    // MARK: A tuning's

    /// The sampler.
    var tuner: String?
    /// The experiment's name in the workspace's trial store.
    var experiment: String?

    enum CodingKeys: String, CodingKey {
        case stage, trial, metric, direction, parameters, trials, succeeded, strategy, baseline, vary, tuner, experiment
        case sampledParameters = "sampled_parameters", trialSeconds = "trial_seconds", bestValues = "best_values"
    }
}
