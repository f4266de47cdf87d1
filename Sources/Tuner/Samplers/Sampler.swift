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
}

/// The tuners, as the pipeline file and `labmake tune --tuner` spell them.
public enum TunerKind: String, Sendable, CaseIterable, Codable {
    case tpe
    /// TPE with one estimator per parameter (Optuna's `multivariate=False`).
    case tpeIndependent = "tpe-independent"
    case random, grid, anneal, evolution

    /// The kind a name spells, case-insensitively; `gridsearch` is NNI's name for `grid`.
    public init(name: String) throws {
        let lowered = name.lowercased()
        if let kind = TunerKind(rawValue: lowered) {
            self = kind
        } else if lowered == "gridsearch" {
            self = .grid
        } else {
            let names = Samplers.names
            throw TunerError("unknown tuner '\(name)'" + (NearestName.hint(name, among: names).map { "; \($0)" } ?? "")
                             + " (tuners: \(names.joined(separator: ", ")))")
        }
    }

    /// A new sampler of this kind; `evolutionPopulation` sets the evolution tuner's population
    /// (NNI's `population_size`, 32 by default).
    public func makeSampler(evolutionPopulation: Int? = nil) -> any Sampler {
        if self == .evolution, let evolutionPopulation {
            var sampler = EvolutionSampler()
            sampler.population = max(2, evolutionPopulation)
            return sampler
        }
        return switch self {
        case .tpe: TPESampler()
        case .tpeIndependent: TPESampler(multivariate: false)
        case .random: RandomSampler()
        case .grid: GridSampler()
        case .anneal: AnnealSampler()
        case .evolution: EvolutionSampler()
        }
    }
}

/// Samplers by name.
public enum Samplers {
    /// The names people choose from (``TunerKind`` also takes `tpe-independent` and `gridsearch`).
    public static let names = ["tpe", "random", "grid", "anneal", "evolution"]

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
