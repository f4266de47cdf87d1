import Randomness
import SystemIO

/// A trial as samplers see it: its configuration and, once it finished, its loss (smaller is better;
/// an experiment that maximises passes the negated metric). Failed trials have no loss.
public struct Observation: Sendable {
    public enum State: Sendable { case running, finished, failed }
    public var configuration: Configuration
    public var loss: Double?
    public var state: State
    /// Whether it was measured before the experiment (a warm start), not proposed by this sampler.
    public var isPrior: Bool

    public init(configuration: Configuration, loss: Double?, state: State, isPrior: Bool = false) {
        self.configuration = configuration
        self.loss = loss
        self.state = state
        self.isPrior = isPrior
    }
}

/// A sampler's answer when asked for a trial.
public enum Proposal: Sendable, Equatable {
    case configuration(Configuration)
    /// Nothing until a running trial ends (a multi-fidelity tuner waiting for a rung to finish).
    case wait
    /// Nothing more, ever (a finished grid or list).
    case exhausted
}

/// Proposes configurations. Every sampler is seeded through `random`: the same seed and history give
/// the same proposal.
public protocol Sampler: Sendable {
    /// The next configuration to try, or nil when the sampler has no more (a finished grid or list).
    mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration?
    /// Told once, before the first suggestion, the experiment's seed and budget: for samplers that plan
    /// ahead (a space-filling start, a start-up length that suits the budget).
    mutating func plan(seed: UInt64, maxTrials: Int)
    /// The next trial, or an answer that there is none now or ever; what ``suggest(_:history:random:)`` says by default.
    mutating func propose(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Proposal
}

extension Sampler {
    public mutating func plan(seed: UInt64, maxTrials: Int) {}

    public mutating func propose(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Proposal {
        suggest(space, history: history, random: &random).map(Proposal.configuration) ?? .exhausted
    }
}

/// The tuners, as the pipeline file and `labmake tune --tuner` spell them.
public enum TunerKind: String, Sendable, CaseIterable, Codable {
    case tpe
    /// TPE with one estimator per parameter (Optuna's `multivariate=False`).
    case tpeIndependent = "tpe-independent"
    case random, grid, anneal, evolution
    /// Bayesian optimisation with a Gaussian process.
    case gp
    /// Successive halving over budgets (epochs, NNI's `TRIAL_BUDGET`), new configurations at random.
    case hyperband
    /// Hyperband whose new configurations come from a TPE model of the largest budget measured enough.
    case bohb
    /// The tuner the tuner benchmark found best for the budget and the space (``resolved(budget:space:)``).
    case auto

    /// The kind a name spells, case-insensitively; `gridsearch` and `gptuner` are NNI's names for `grid` and `gp`.
    public init(name: String) throws {
        let lowered = name.lowercased()
        if let kind = TunerKind(rawValue: lowered) {
            self = kind
        } else if lowered == "gridsearch" {
            self = .grid
        } else if lowered == "gptuner" {
            self = .gp
        } else {
            let names = Samplers.names
            throw TunerError("unknown tuner '\(name)'" + (NearestName.hint(name, among: names).map { "; \($0)" } ?? "")
                             + " (tuners: \(names.joined(separator: ", ")))")
        }
    }

    /// The tuner this kind stands for at `budget` trials over `space`: itself, or for `auto` the one the
    /// tuner benchmark found best there (benchmarks/tuner/README.md): the GP sampler up to 30 trials;
    /// over a space less than a third of whose parameters are choices, the GP up to 50, then the GP up
    /// to 100 if any parameter is a choice and TPE if none is, and TPE past 100; over a space of more
    /// choices, TPE up to 50, the GP up to 100 and TPE above (where the GP's suggestions grow slow and no
    /// benchmark has compared them).
    public func resolved(budget: Int, space: SearchSpace) -> TunerKind {
        guard self == .auto else { return self }
        return Self.autoReason(budget: budget, space: space).kind
    }

    /// What `auto` picks at a budget over a space, and why, in a few words for the user.
    public static func autoReason(budget: Int, space: SearchSpace) -> (kind: TunerKind, reason: String) {
        if budget <= 30 { return (.gp, "the GP sampler at 30 trials or fewer") }
        if !space.isChoiceHeavy {
            if budget <= 50 { return (.gp, "the GP sampler at 50 trials or fewer over a space of mostly numbers") }
            if budget <= 100 {
                return space.hasChoice ? (.gp, "the GP sampler at 51 to 100 trials over a space with a choice")
                                       : (.tpe, "TPE past 50 trials over a space of numbers only")
            }
            return (.tpe, "TPE past 100 trials")
        }
        if budget <= 50 { return (.tpe, "TPE at 31 to 50 trials over a space a third or more of whose parameters are choices") }
        if budget <= 100 { return (.gp, "the GP sampler at 51 to 100 trials over a space a third or more of whose parameters are choices") }
        return (.tpe, "TPE past 100 trials")
    }

    /// Whether the tuner gives each trial a budget (``MultiFidelity``).
    public var isMultiFidelity: Bool { self == .hyperband || self == .bohb }

    /// A new sampler of this kind (`auto` taken as TPE: see ``resolved(budget:space:)``);
    /// `evolutionPopulation` sets the evolution tuner's population (NNI's `population_size`, 32 by default);
    /// `fidelity`, the budgets of Hyperband and BOHB (NNI's defaults for command trials when nil).
    public func makeSampler(evolutionPopulation: Int? = nil, fidelity: MultiFidelity? = nil) -> any Sampler {
        if self == .evolution, let evolutionPopulation {
            var sampler = EvolutionSampler()
            sampler.population = max(2, evolutionPopulation)
            return sampler
        }
        return switch self {
        case .tpe, .auto: TPESampler()
        case .tpeIndependent: TPESampler(multivariate: false)
        case .random: RandomSampler()
        case .grid: GridSampler()
        case .anneal: AnnealSampler()
        case .evolution: EvolutionSampler()
        case .gp: GPSampler()
        case .hyperband, .bohb: HyperbandSampler(fidelity: fidelity ?? .nniDefaults(for: self), model: self == .bohb ? .bohb : .random)
        }
    }
}

/// Samplers by name.
public enum Samplers {
    /// The names people choose from (``TunerKind`` also takes `tpe-independent` and `gridsearch`).
    public static let names = ["auto", "tpe", "gp", "random", "grid", "anneal", "evolution", "hyperband", "bohb"]

    /// The sampler a name spells, or an error that suggests the nearest name.
    public static func make(_ name: String) throws -> any Sampler { try TunerKind(name: name).makeSampler() }
}

/// Independent draws from the space's own distributions.
public struct RandomSampler: Sampler {
    public init() {}
    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        space.sample(using: &random)
    }
}

/// A listed set of configurations, in order (NNI's batch tuner); then nothing.
public struct BatchSampler: Sampler {
    public var configurations: [Configuration]
    public init(_ configurations: [Configuration]) { self.configurations = configurations }
    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        let tried = Set(history.map(\.configuration))
        return configurations.first { !tried.contains($0) }
    }
}
