import Randomness
import SystemIO

/// A trial as samplers see it: its configuration and, once it finished, its loss (smaller is better;
/// an experiment that maximises passes the negated metric). Failed trials have no loss.
public struct Observation: Sendable {
    public enum State: Sendable { case running, finished, failed }
    public var configuration: Configuration
    public var loss: Double?
    public var state: State

    public init(configuration: Configuration, loss: Double?, state: State) {
        self.configuration = configuration
        self.loss = loss
        self.state = state
    }
}

/// Proposes configurations. Every sampler is seeded through `random`: the same seed and history give
/// the same proposal.
public protocol Sampler: Sendable {
    /// The next configuration to try, or nil when the sampler has no more (a finished grid or list).
    mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration?
    /// Told once, before the first suggestion, the experiment's seed and budget: for samplers that plan
    /// ahead (a space-filling start, a start-up length that suits the budget).
    mutating func plan(seed: UInt64, maxTrials: Int)
}

extension Sampler {
    public mutating func plan(seed: UInt64, maxTrials: Int) {}
}

/// The tuners, as the pipeline file and `labmake tune --tuner` spell them.
public enum TunerKind: String, Sendable, CaseIterable, Codable {
    case tpe
    /// TPE with one estimator per parameter (Optuna's `multivariate=False`).
    case tpeIndependent = "tpe-independent"
    case random, grid, anneal, evolution
    /// Bayesian optimisation with a Gaussian process.
    case gp
    /// The tuner the tuner benchmark found best for the budget (``resolved(budget:)``).
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

    /// Budgets up to which `auto` picks the GP sampler; TPE above (see benchmarks/tuner/README.md).
    public static let autoGPBudget = 30

    /// The tuner this kind stands for at a budget of `budget` trials: itself, or for `auto` the one
    /// the tuner benchmark found best there: the GP sampler up to ``autoGPBudget`` trials, TPE above.
    public func resolved(budget: Int) -> TunerKind {
        guard self == .auto else { return self }
        return budget <= Self.autoGPBudget ? .gp : .tpe
    }

    /// Why `auto` picks what it picks at a budget, in a few words for the user.
    public static func autoReason(budget: Int) -> String {
        budget <= autoGPBudget ? "\(autoGPBudget) trials or fewer: the GP sampler" : "more than \(autoGPBudget) trials: TPE"
    }

    /// A new sampler of this kind (`auto` resolved for `budget`); `evolutionPopulation` sets the
    /// evolution tuner's population (NNI's `population_size`, 32 by default).
    public func makeSampler(evolutionPopulation: Int? = nil, budget: Int = 20) -> any Sampler {
        if self == .evolution, let evolutionPopulation {
            var sampler = EvolutionSampler()
            sampler.population = max(2, evolutionPopulation)
            return sampler
        }
        return switch resolved(budget: budget) {
        case .tpe, .auto: TPESampler()
        case .tpeIndependent: TPESampler(multivariate: false)
        case .random: RandomSampler()
        case .grid: GridSampler()
        case .anneal: AnnealSampler()
        case .evolution: EvolutionSampler()
        case .gp: GPSampler()
        }
    }
}

/// Samplers by name.
public enum Samplers {
    /// The names people choose from (``TunerKind`` also takes `tpe-independent` and `gridsearch`).
    public static let names = ["auto", "tpe", "gp", "random", "grid", "anneal", "evolution"]

    /// The sampler a name spells, or an error that suggests the nearest name.
    public static func make(_ name: String, budget: Int = 20) throws -> any Sampler { try TunerKind(name: name).makeSampler(budget: budget) }
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
