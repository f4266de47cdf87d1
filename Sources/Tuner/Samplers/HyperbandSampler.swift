import Foundation
import Randomness

/// Hyperband (Li et al. 2018, NNI's `Hyperband` advisor) and BOHB (Falkner et al. 2018, NNI's `BOHB`
/// advisor): successive halving over budgets (see ``MultiFidelity``), each trial a configuration with
/// its budget under ``MultiFidelity/parameter``. A promoted configuration runs again at the larger
/// budget, as in NNI.
///
/// New configurations: Hyperband's from a Latin hypercube over each bracket's first rung (NNI draws
/// them independently; the design covers the space better, as for the other tuners' start-up).
/// BOHB's, from the second bracket on and once some budget has at least 2(d + 1) finished trials
/// (d parameters), from a TPE model of the trials at the largest such budget (BOHB's kernel density
/// ratio: the best max(d + 1, 15%) against the rest; 64 candidates drawn from the good kernels made
/// three times wider, BOHB's `bandwidth_factor`), except a third of them, which stay random as BOHB's
/// `random_fraction`. The first bracket is all design, as NNI's is all random: on the multi-fidelity
/// benchmark, a model of the smallest budget fitted within it steered the rest of it towards
/// configurations that learn fast and end worse (benchmarks/tuner/README.md). Warm-start
/// trials count as measured at the largest budget for that model.
///
/// A function of the history and the seed alone (``HyperbandLedger``): a resumed experiment proposes
/// what an uninterrupted one would.
public struct HyperbandSampler: Sampler {
    public enum Model: String, Sendable { case random, bohb }

    public var fidelity: MultiFidelity
    public var model: Model
    /// BOHB's share of new configurations drawn at random, model or not.
    public var randomFraction = 1.0 / 3.0
    private var seed: UInt64 = 0
    private var design: (ordinal: Int, space: SearchSpace, points: [Configuration])?

    public init(fidelity: MultiFidelity, model: Model) {
        self.fidelity = fidelity
        self.model = model
    }

    public mutating func plan(seed: UInt64, maxTrials: Int) {
        self.seed = seed
        design = nil
    }

    /// The next configuration; nil when the sampler would wait for a rung (``propose(_:history:random:)`` tells which).
    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        if case .configuration(let configuration) = propose(space, history: history, random: &random) { return configuration }
        return nil
    }

    public mutating func propose(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Proposal {
        switch HyperbandLedger(history: history, fidelity: fidelity).next() {
        case .wait:
            return .wait
        case .promote(let base, let budget):
            return .configuration(fidelity.configuration(base, budget: budget))
        case .new(let budget, let bracket, let ordinal, let index):
            let base = newConfiguration(space, history: history, bracket: bracket, ordinal: ordinal, index: index, random: &random)
            return .configuration(fidelity.configuration(base, budget: budget))
        }
    }

    private mutating func newConfiguration(_ space: SearchSpace, history: [Observation], bracket: Int, ordinal: Int, index: Int,
                                           random: inout SplitMix64) -> Configuration {
        let coin = Double(random.next() >> 11) * 0x1p-53
        if model == .bohb, ordinal > 0, coin >= randomFraction, let observed = modelTrials(history, parameters: space.parameters.count) {
            // BOHB's split: the best max(d + 1, 15%) against the rest.
            let good = Swift.max(space.parameters.count + 1, observed.count * 15 / 100)
            var tpe = TPESampler()
            tpe.startupTrials = 0
            tpe.gammaFraction = Double(good) / Double(observed.count)
            tpe.gammaCap = good
            tpe.candidates = 64
            tpe.candidateWidening = 3
            tpe.constantLiar = false
            if let proposal = tpe.suggest(space, history: observed, random: &random) { return proposal }
        }
        let count = fidelity.configurations(bracket: bracket)
        if design?.ordinal != ordinal || design?.space != space || design?.points.count != count {
            var planned = SplitMix64(seed: seed).derived(0x4842_0000 + UInt64(ordinal))  // "HB"
            design = (ordinal, space, SpaceFillingDesign.points(space, count: count, random: &planned))
        }
        return index < design!.points.count ? design!.points[index] : space.sample(using: &random)
    }

    /// BOHB's model data: the finished trials at the largest budget that has at least 2(d + 1) of them
    /// (BOHB's least for a good and a bad side of d + 1 each), as observations of their configurations
    /// without the budget; nil when no budget has enough.
    private func modelTrials(_ history: [Observation], parameters: Int) -> [Observation]? {
        var byBudget: [Double: [Observation]] = [:]
        for observation in history where observation.state == .finished && (observation.loss?.isFinite ?? false) {
            let budget = observation.isPrior ? fidelity.maxBudget : fidelity.budget(of: observation.configuration)
            guard let budget else { continue }
            var base = observation
            base.configuration = fidelity.base(of: observation.configuration)
            byBudget[budget, default: []].append(base)
        }
        return byBudget.filter { $0.value.count >= 2 * (parameters + 1) }.max { $0.key < $1.key }?.value
    }
}
