import Tuner

/// NNI's built-in tuners and assessors as labmake knows them: which it runs, with which `classArgs`,
/// and which it cannot run.
enum NNIAlgorithms {
    /// A tuner labmake runs, with the `classArgs` it honours and the direction NNI takes without `optimize_mode`.
    struct Tuner {
        var kind: TunerKind
        var classArgs: [String]
        var defaultDirection: Direction
    }

    /// By lowercased NNI name. TPE and Anneal minimize by default (NNI's hyperopt tuners); Evolution
    /// and GPTuner maximize; Random and GridSearch do not compare results, and NNI ranks trials by maximizing.
    static let tuners: [String: Tuner] = [
        "tpe": Tuner(kind: .tpe, classArgs: ["optimize_mode", "seed"], defaultDirection: .minimize),
        "random": Tuner(kind: .random, classArgs: ["optimize_mode", "seed"], defaultDirection: .maximize),
        "randomsearch": Tuner(kind: .random, classArgs: ["optimize_mode", "seed"], defaultDirection: .maximize),
        "anneal": Tuner(kind: .anneal, classArgs: ["optimize_mode"], defaultDirection: .minimize),
        "evolution": Tuner(kind: .evolution, classArgs: ["optimize_mode", "population_size"], defaultDirection: .maximize),
        "gridsearch": Tuner(kind: .grid, classArgs: ["optimize_mode"], defaultDirection: .maximize),
        "gptuner": Tuner(kind: .gp, classArgs: ["optimize_mode"], defaultDirection: .maximize),
    ]

    /// The names a config file spells them with, for suggestions.
    static let tunerNames = ["TPE", "Random", "Anneal", "Evolution", "GridSearch", "GPTuner"]

    /// NNI's other built-in tuners and advisors (`builtin_algorithms.yml`), which labmake does not have.
    static let missingTuners = ["smac", "metis", "metistuner", "pbt", "pbttuner", "batch", "batchtuner", "dngo",
                                "networkmorphism", "ppo", "ppotuner", "regularizedevolutiontuner", "tpe_legacy",
                                "hyperopt", "randomtuner", "dngotuner"]

    /// NNI's advisors, by lowercased name: multi-fidelity tuners (``MultiFidelity``).
    static let advisors: [String: TunerKind] = ["hyperband": .hyperband, "bohb": .bohb]
    /// Hyperband's `classArgs` (NNI's `R` is the largest budget).
    static let hyperbandClassArgs = ["optimize_mode", "R", "eta", "exec_mode"]
    static let bohbClassArgs = ["optimize_mode", "min_budget", "max_budget", "eta"]
    /// BOHB's settings of its own model, taken and ignored (labmake's BOHB models with its TPE).
    static let bohbModelClassArgs = ["min_points_in_model", "top_n_percent", "num_samples", "random_fraction", "bandwidth_factor",
                                     "min_bandwidth", "config_space"]

    /// Medianstop's `classArgs`.
    static let medianstopClassArgs = ["optimize_mode", "start_step"]
    static let missingAssessors = ["curvefitting"]
}
