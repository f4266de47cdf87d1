/// Hyperband's and BOHB's budget settings as people give them (a tune stage's `min_budget`,
/// `max_budget`, `eta` and `exec_mode`, `labmake tune`'s options, an NNI config's advisor
/// `classArgs`); any of them may be missing.
public struct FidelityOptions: Sendable, Equatable {
    public var minBudget: Double?
    public var maxBudget: Double?
    public var eta: Int?
    /// NNI's `exec_mode: serial`.
    public var serial: Bool?

    public init(minBudget: Double? = nil, maxBudget: Double? = nil, eta: Int? = nil, serial: Bool? = nil) {
        self.minBudget = minBudget
        self.maxBudget = maxBudget
        self.eta = eta
        self.serial = serial
    }

    public var isEmpty: Bool { self == FidelityOptions() }

    /// These settings, with `other`'s where these say nothing.
    public func over(_ other: FidelityOptions) -> FidelityOptions {
        FidelityOptions(minBudget: minBudget ?? other.minBudget, maxBudget: maxBudget ?? other.maxBudget, eta: eta ?? other.eta,
                        serial: serial ?? other.serial)
    }

    /// The budgets of `tuner`, nil for a tuner without budgets. Built-in training trials
    /// (`trainingEpochs`: the baseline's epochs) get whole epochs up to the baseline's; command trials get
    /// NNI's `TRIAL_BUDGET` with NNI's defaults (see ``MultiFidelity/nniDefaults(for:)``).
    public func fidelity(tuner: TunerKind, trainingEpochs: Int?) throws -> MultiFidelity? {
        guard tuner.isMultiFidelity else {
            guard isEmpty else {
                throw TunerError("min_budget, max_budget, eta and exec_mode need tuner hyperband or bohb (this experiment's tuner is "
                                 + "\(tuner.rawValue)); remove them, or choose one of those tuners")
            }
            return nil
        }
        if let trainingEpochs {
            return try MultiFidelity(parameter: "epochs", minBudget: minBudget ?? 1, maxBudget: maxBudget ?? Double(trainingEpochs),
                                     eta: eta ?? 3, integral: true, serial: serial ?? false)
        }
        let defaults = MultiFidelity.nniDefaults(for: tuner)
        return try MultiFidelity(parameter: defaults.parameter, minBudget: minBudget ?? defaults.minBudget, maxBudget: maxBudget ?? defaults.maxBudget,
                                 eta: eta ?? defaults.eta, integral: defaults.integral, serial: serial ?? false)
    }

    /// Parameters a space may not have under `fidelity`: its budget parameter, which the tuner sets.
    public static func check(_ space: SearchSpace, against fidelity: MultiFidelity) throws {
        if space.parameters.contains(where: { $0.name == fidelity.parameter }) {
            throw TunerError("the search space has '\(fidelity.parameter)', which the multi-fidelity tuner sets for each trial "
                             + "(its budget, from min_budget to max_budget); remove it from the space")
        }
    }

    /// What defines these budgets in an experiment's name.
    public static func identity(_ fidelity: MultiFidelity) -> String {
        "budget:\(fidelity.parameter):\(fidelity.minBudget)-\(fidelity.maxBudget):eta\(fidelity.eta)" + (fidelity.serial ? ":serial" : "")
    }
}
