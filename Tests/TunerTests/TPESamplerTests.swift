import Foundation
import Randomness
import Testing
@testable import Tuner

@Suite("TPE")
struct TPESamplerTests {
    @Test("kernel widths: Optuna's neighbour gaps and floor without evidence; the floor narrows with the whole history")
    func bandwidths() {
        let mus = [0.50, 0.51, 0.52, 0.53, 0.54]
        // Optuna's rule: gaps of 0.01, floored at range / (n + 2) = 1/7.
        #expect(Mixture.bandwidths(mus, low: 0, high: 1).allSatisfy { abs($0 - 1.0 / 7) < 1e-12 })
        // 100 trials of evidence: the floor is 1/102, so the gaps show through.
        let narrowed = Mixture.bandwidths(mus, low: 0, high: 1, evidence: 100)
        #expect(narrowed.allSatisfy { abs($0 - 0.01) < 1e-9 })
        // Never below one step of a quantized parameter, never wider than the range.
        #expect(Mixture.bandwidths(mus, low: 0, high: 1, step: 0.05, evidence: 100).allSatisfy { $0 == 0.05 })
        #expect(Mixture.bandwidths([0.1, 0.9], low: 0, high: 1).allSatisfy { $0 <= 1 })
    }

    @Test("evidence is phased in: little in the first few dozen trials, every trial from 100 on")
    func evidence() {
        #expect(TPESampler.evidence(10) == 1)
        #expect(TPESampler.evidence(50) == 25)
        #expect(TPESampler.evidence(100) == 100)
        #expect(TPESampler.evidence(400) == 400)
    }

    @Test("integer and quantized parameters step in their own units; continuous and log-quantized ones have no step")
    func internalSteps() throws {
        let space = try SearchSpace.parse(Data("""
            {"n": {"_type": "randint", "_value": [1, 9]}, "q": {"_type": "quniform", "_value": [0, 20, 0.5]},
             "x": {"_type": "uniform", "_value": [0, 1]}, "lq": {"_type": "qloguniform", "_value": [1, 100, 1]}}
            """.utf8))
        let steps = Dictionary(uniqueKeysWithValues: space.parameters.map { ($0.name, NumericDomain($0.distribution)!.internalStep) })
        #expect(steps == ["n": 1, "q": 0.5, "x": 0, "lq": 0])
    }

    /// Sequential TPE on a smooth bowl, minimum 0 at (0.3, 0.7): the kernels narrow onto it. With
    /// Optuna's floor (no evidence) the best trials lie 0.0025–0.007 away; with the evidence floor the
    /// median over 60 seeds is 0.0014 and the 90th percentile 0.0028 (with independent start-up draws
    /// or a space-filling design alike).
    @Test("after 100 trials on a smooth 2-D bowl, the best trial lies within 0.002 of the minimum for most seeds, 0.005 for all")
    func converges() throws {
        let space = try SearchSpace.parse(Data("""
            {"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "uniform", "_value": [0, 1]}}
            """.utf8))
        var distances: [Double] = []
        for seed in UInt64(0)..<20 {
            var sampler = TPESampler()
            sampler.plan(seed: seed, maxTrials: 100)
            var history: [Observation] = []
            for k in 0..<100 {
                var random = SplitMix64(seed: seed).derived(UInt64(k + 1))
                let c = try #require(sampler.suggest(space, history: history, random: &random))
                let (a, b) = (c.values["a"]!.number!, c.values["b"]!.number!)
                history.append(Observation(configuration: c, loss: (a - 0.3) * (a - 0.3) + (b - 0.7) * (b - 0.7), state: .finished))
            }
            distances.append(history.compactMap(\.loss).min()!.squareRoot())
        }
        distances.sort()
        #expect(distances[10] < 0.002, "median best distance \(distances[10])")
        #expect(distances.last! < 0.005, "worst best distance \(distances.last!)")
    }
}
