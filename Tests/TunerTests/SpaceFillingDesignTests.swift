import Foundation
import Randomness
import Testing
@testable import Tuner

@Suite("Space-filling start-up designs")
struct SpaceFillingDesignTests {
    let space = try! SearchSpace.parse(Data("""
        {"lr": {"_type": "loguniform", "_value": [0.0001, 0.1]},
         "x": {"_type": "uniform", "_value": [0, 1]},
         "n": {"_type": "randint", "_value": [0, 5]},
         "z": {"_type": "normal", "_value": [0, 1]},
         "opt": {"_type": "choice", "_value": [
             {"_name": "sgd", "momentum": {"_type": "uniform", "_value": [0, 1]}},
             {"_name": "adam"},
             "plain"]}}
        """.utf8))

    @Test("every numeric range is cut into as many slices as points, one point in each; choices are taken evenly")
    func latinSlices() throws {
        for seed in UInt64(0)..<20 {
            var random = SplitMix64(seed: seed)
            let points = SpaceFillingDesign.points(space, count: 10, random: &random)
            #expect(points.count == 10)
            for point in points { #expect(space.violation(point) == nil, "\(point)") }
            let x = points.map { $0.values["x"]!.number! }
            #expect(Set(x.map { Int($0 * 10) }).count == 10, "x: \(x)")
            let lr = points.map { log10($0.values["lr"]!.number!) }  // -4 … -1 in 10 slices of 0.3
            #expect(Set(lr.map { Int(($0 + 4) / 0.3) }).count == 10, "lr: \(lr)")
            // 10 points over 5 integers: each twice. Over 3 options: 3 or 4 each.
            let n = Dictionary(grouping: points.map { $0.values["n"]!.number! }, by: { $0 }).mapValues(\.count)
            #expect(n.values.allSatisfy { $0 == 2 }, "n: \(n)")
            let options = Dictionary(grouping: points.map { point -> String in
                if case .nested(let fields) = point.values["opt"]!, case .string(let name)? = fields["_name"] { return name }
                if case .string(let name) = point.values["opt"]! { return name }
                return "?"
            }, by: { $0 }).mapValues(\.count)
            #expect(options.values.allSatisfy { (3...4).contains($0) } && options.count == 3, "options: \(options)")
            // The normal parameter's slices are its prior's deciles: one point between each pair.
            let z = points.map { $0.values["z"]!.number! }.sorted()
            let deciles = [-1.2816, -0.8416, -0.5244, -0.2533, 0, 0.2533, 0.5244, 0.8416, 1.2816]
            for (k, edge) in deciles.enumerated() { #expect(z[k] < edge && edge < z[k + 1], "z: \(z)") }
        }
    }

    @Test("the same seed gives the same design")
    func deterministic() {
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7)
        #expect(SpaceFillingDesign.points(space, count: 8, random: &a) == SpaceFillingDesign.points(space, count: 8, random: &b))
    }

    @Test("TPE's start-up trials are the design's points, in order, and its start-up length suits the budget")
    func tpeStartsFromTheDesign() throws {
        var sampler = TPESampler()
        sampler.plan(seed: 3, maxTrials: 12)
        #expect(TPESampler.startupTrials(budget: 12) == 6)
        #expect(TPESampler.startupTrials(budget: 5) == 5)
        #expect(TPESampler.startupTrials(budget: nil) == 10)
        #expect(TPESampler.startupTrials(budget: 100) == 10)
        try expectStartsWithDesign(&sampler, space, seed: 3, count: 6)
    }

    @Test("the normal quantile matches known values")
    func quantiles() {
        for (p, z) in [(0.5, 0.0), (0.975, 1.959964), (0.025, -1.959964), (0.999, 3.090232), (1e-6, -4.753424)] {
            #expect(abs(SpaceFillingDesign.normalQuantile(p) - z) < 1e-5, "\(p)")
        }
    }
}

/// Expects `sampler`'s first `count` suggestions over `space` (each reported finished) to be the start-up
/// design of an experiment seeded with `seed`, in order.
func expectStartsWithDesign<S: Sampler>(_ sampler: inout S, _ space: SearchSpace, seed: UInt64, count: Int) throws {
    let design = StartupDesign.points(space, count: count, seed: seed)
    var history: [Observation] = []
    for k in 0..<count {
        var random = SplitMix64(seed: UInt64(k))
        let c = try #require(sampler.suggest(space, history: history, random: &random))
        #expect(c == design[k], "trial \(k + 1)")
        history.append(Observation(configuration: c, loss: Double(k % 3), state: .finished))
    }
}
