import Foundation
import Randomness
import Testing
@testable import Tuner

@Suite("Gaussian-process sampler")
struct GPSamplerTests {
    /// A bowl over a linear, a log-scale and a categorical parameter: minimum 0 at a = 0.3, b = 0.01, c = y.
    let space = try! SearchSpace.parse(Data("""
        {"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "loguniform", "_value": [0.001, 1]},
         "c": {"_type": "choice", "_value": ["x", "y", "z"]}}
        """.utf8))

    func loss(_ c: Configuration) -> Double {
        let (a, b) = (c.values["a"]!.number!, log10(c.values["b"]!.number!))
        return (a - 0.3) * (a - 0.3) + (b + 2) * (b + 2) / 9 + (c.values["c"] == .string("y") ? 0 : 0.3)
    }

    func bestAfter(_ trials: Int, _ kind: TunerKind, seed: UInt64) throws -> Double {
        var sampler = kind.makeSampler()
        sampler.plan(seed: seed, maxTrials: trials)
        var history: [Observation] = []
        for k in 0..<trials {
            var random = SplitMix64(seed: seed).derived(UInt64(k + 1))
            let c = try #require(sampler.suggest(space, history: history, random: &random))
            #expect(space.violation(c) == nil, "\(c)")
            history.append(Observation(configuration: c, loss: loss(c), state: .finished))
        }
        return history.compactMap(\.loss).min()!
    }

    /// TPE's median here is 0.005; the GP's 0.0002.
    @Test("on a smooth mixed space, 20 trials of the GP come within 0.002 of the minimum for most seeds, ten times closer than TPE")
    func smallBudget() throws {
        var gp: [Double] = [], tpe: [Double] = []
        for seed in UInt64(0)..<8 {
            gp.append(try bestAfter(20, .gp, seed: seed))
            tpe.append(try bestAfter(20, .tpe, seed: seed))
        }
        gp.sort()
        tpe.sort()
        #expect(gp[4] < 0.002, "GP median \(gp[4])")
        #expect(gp[4] * 10 < tpe[4], "GP median \(gp[4]), TPE median \(tpe[4])")
    }

    @Test("the same history and seed give the same proposal; running trials are not proposed again")
    func deterministic() throws {
        var random = SplitMix64(seed: 1)
        let history = (0..<12).map { _ -> Observation in
            let c = space.sample(using: &random)
            return Observation(configuration: c, loss: loss(c), state: .finished)
        }
        var a = GPSampler(), b = GPSampler()
        var ra = SplitMix64(seed: 5), rb = SplitMix64(seed: 5)
        #expect(a.suggest(space, history: history, random: &ra) == b.suggest(space, history: history, random: &rb))
    }

    @Test("the start-up length suits the budget, and is longer over a space of many choices")
    func startupLength() throws {
        let choices = try SearchSpace.parse(Data(#"""
            {"optimizer": {"_type": "choice", "_value": ["adamw", "sgd"]}, "warmup": {"_type": "choice", "_value": [0, 100, 500]},
             "lr": {"_type": "loguniform", "_value": [1e-6, 0.1]}, "wd": {"_type": "loguniform", "_value": [1e-6, 0.1]},
             "frozen": {"_type": "randint", "_value": [0, 12]}, "smoothing": {"_type": "quniform", "_value": [0, 0.3, 0.05]}}
            """#.utf8))
        let numbers = try SearchSpace.parse(Data(#"""
            {"x": {"_type": "uniform", "_value": [0, 1]}, "y": {"_type": "uniform", "_value": [0, 1]},
             "n": {"_type": "randint", "_value": [1, 9]}, "c": {"_type": "choice", "_value": ["a", "b"]}}
            """#.utf8))
        #expect(choices.isChoiceHeavy && !numbers.isChoiceHeavy)
        #expect([5, 10, 20, 25, 40].map { GPSampler.startupTrials(budget: $0, space: choices) } == [5, 5, 8, 10, 10])
        #expect([5, 10, 20, 25, 40].map { GPSampler.startupTrials(budget: $0, space: numbers) } == [5, 5, 5, 6, 10])
        #expect(GPSampler.startupTrials(budget: nil, space: choices) == 10)
        // At 20 trials over the space of choices, the first 8 trials are the points of an 8-point design.
        var sampler = GPSampler()
        sampler.plan(seed: 4, maxTrials: 20)
        try expectStartsWithDesign(&sampler, choices, seed: 4, count: 8)
    }

    @Test("a discrete space is never proposed twice while untried configurations are left")
    func noRepeats() throws {
        let small = try SearchSpace.parse(Data(#"{"n": {"_type": "randint", "_value": [0, 4]}, "c": {"_type": "choice", "_value": [1, 2]}}"#.utf8))
        var sampler = GPSampler()
        sampler.plan(seed: 2, maxTrials: 8)
        var history: [Observation] = []
        for k in 0..<8 {
            var random = SplitMix64(seed: 2).derived(UInt64(k + 1))
            let c = try #require(sampler.suggest(small, history: history, random: &random))
            #expect(!history.contains { $0.configuration == c }, "trial \(k + 1) repeats \(c)")
            #expect(small.violation(c) == nil, "trial \(k + 1): \(c)")
            history.append(Observation(configuration: c, loss: Double(c.values["n"]!.number!), state: .finished))
        }
    }

    @Test("the encoding maps configurations to the unit cube and back, nested options and integers included")
    func encoding() throws {
        let nested = try SearchSpace.parse(Data("""
            {"lr": {"_type": "loguniform", "_value": [0.0001, 0.1]}, "n": {"_type": "randint", "_value": [1, 9]},
             "opt": {"_type": "choice", "_value": [{"_name": "sgd", "momentum": {"_type": "uniform", "_value": [0.5, 0.99]}}, {"_name": "adam"}]}}
            """.utf8))
        let encoding = SpaceEncoding(nested)
        #expect(encoding.dimensions == 5)  // lr, n, two options, momentum
        var random = SplitMix64(seed: 3)
        for _ in 0..<200 {
            let c = nested.sample(using: &random)
            let point = encoding.encode(c)
            #expect(point.allSatisfy { (0...1).contains($0) })
            let back = Configuration(values: encoding.decode(point))
            #expect(nested.violation(back) == nil)
            #expect(back.values["n"] == c.values["n"])
            #expect(abs(back.values["lr"]!.number! / c.values["lr"]!.number! - 1) < 1e-9)
            if case .nested(let f)? = c.values["opt"], case .nested(let g)? = back.values["opt"] {
                #expect(f["_name"] == g["_name"])
                if let m = f["momentum"]?.number { #expect(abs(g["momentum"]!.number! - m) < 1e-9) }
            }
            let moved = encoding.perturb(point, scale: 0.3, using: &random)
            #expect(nested.violation(Configuration(values: encoding.decode(moved))) == nil)
        }
    }

    @Test("every sampler's value at either end of an integer range lies in it, for ranges starting at zero or below")
    func integerEnds() throws {
        for (a, b) in [(0, 12), (-3, 3), (-5, -1), (1, 2), (0, 1)] {
            let space = try SearchSpace.parse(Data(#"{"n": {"_type": "randint", "_value": [\#(a), \#(b)]}}"#.utf8))
            let encoding = SpaceEncoding(space)
            for u in [0.0, 1e-12, 0.5, 1 - 1e-12, 1.0] {
                let c = Configuration(values: encoding.decode([u]))
                #expect(space.violation(c) == nil, "randint [\(a), \(b)) at \(u): \(c)")
            }
            let domain = try #require(NumericDomain(.randint(a, b)))
            #expect(domain.value(fromInternal: domain.low) == .int(a))
            #expect(domain.value(fromInternal: domain.high) == .int(b - 1))
            #expect(domain.value(fromInternal: domain.low - 3) == .int(a))
        }
    }

    @Test("the model predicts its prior mean far from every point and the observations at them")
    func priorMean() throws {
        let points = [[0.1, 0.1], [0.2, 0.15], [0.15, 0.3]], targets = [-1.0, 0.0, 0.5]
        for mean in [0.0, 1.0] {
            var model = GaussianProcess(points: points, targets: targets, priorMean: mean)
            let fitted = model.fit()
            #expect(fitted)
            let far = model.predict([1, 1])
            #expect(abs(far.mean - mean) < 0.05, "prior \(mean): far \(far.mean)")
            for (x, y) in zip(points, targets) {
                #expect(abs(model.predict(x).mean - y) < 0.1, "prior \(mean): at \(x) \(model.predict(x).mean), observed \(y)")
            }
        }
    }

    /// A four-dimensional bowl with its minimum off the centre.
    let bowl = try! SearchSpace.parse(Data("""
        {"x1": {"_type": "uniform", "_value": [0, 1]}, "x2": {"_type": "uniform", "_value": [0, 1]},
         "x3": {"_type": "uniform", "_value": [0, 1]}, "x4": {"_type": "uniform", "_value": [0, 1]}}
        """.utf8))

    /// Ten trials on ``bowl``: the model-based trials' coordinates within 2 % of an edge of the space, and
    /// the distance of the first of them from the best start-up trial.
    func modelTrials(priorMean: Double, seed: UInt64) throws -> (edges: Int, distance: Double) {
        var sampler = GPSampler()
        sampler.priorMean = priorMean
        sampler.plan(seed: seed, maxTrials: 10)
        var history: [Observation] = []
        var points: [[Double]] = []
        for k in 0..<10 {
            var random = SplitMix64(seed: seed).derived(UInt64(k + 1))
            let c = try #require(sampler.suggest(bowl, history: history, random: &random))
            let x = (1...4).map { c.values["x\($0)"]!.number! }
            points.append(x)
            history.append(Observation(configuration: c, loss: x.map { ($0 - 0.3) * ($0 - 0.3) }.reduce(0, +), state: .finished))
        }
        let best = points[history.prefix(5).indices.min { history[$0].loss! < history[$1].loss! }!]
        let edges = points[5...].flatMap { $0 }.filter { $0 < 0.02 || $0 > 0.98 }.count
        return (edges, zip(best, points[5]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot())
    }

    @Test("with a pessimistic prior mean the model-based trials keep off the edges of the space and the first stays nearer the best start-up trial than with a prior at the median; the prior is pessimistic up to 50 trials")
    func pessimisticPrior() throws {
        var pessimistic: [(edges: Int, distance: Double)] = [], median: [(edges: Int, distance: Double)] = []
        for seed in UInt64(0)..<9 {
            pessimistic.append(try modelTrials(priorMean: 1, seed: seed))
            median.append(try modelTrials(priorMean: 0, seed: seed))
        }
        let edges = (pessimistic.map(\.edges).reduce(0, +), median.map(\.edges).reduce(0, +))
        let distances = (pessimistic.map(\.distance).sorted()[4], median.map(\.distance).sorted()[4])
        // Here 11 of 180 against 20.
        #expect(edges.0 * 3 < edges.1 * 2, "coordinates at an edge: pessimistic \(edges.0), median \(edges.1)")
        #expect(distances.0 < distances.1, "median distances: pessimistic \(distances.0), median \(distances.1)")
        #expect(GPSampler.priorMean(budget: 10) == 1 && GPSampler.priorMean(budget: 50) == 1)
        #expect(GPSampler.priorMean(budget: 51) == 0 && GPSampler.priorMean(budget: nil) == 0)
    }

    @Test("log expected improvement is finite and ordered where the improvement underflows")
    func expectedImprovement() {
        let near = GPSampler.logExpectedImprovement(best: 0, mean: 1, sd: 0.5)
        let far = GPSampler.logExpectedImprovement(best: 0, mean: 30, sd: 0.5)
        let farther = GPSampler.logExpectedImprovement(best: 0, mean: 40, sd: 0.5)
        #expect(near.isFinite && far.isFinite && farther.isFinite)
        #expect(near > far && far > farther)
        // Continuous where the two formulas meet.
        let a = GPSampler.logExpectedImprovement(best: 0, mean: 5.99999, sd: 1), b = GPSampler.logExpectedImprovement(best: 0, mean: 6.00001, sd: 1)
        #expect(abs(a - b) < 0.005, "\(a) \(b)")
        #expect(GPSampler.normalScores([3, 1, 2, 2]).map { ($0 * 1000).rounded() } == [1150, -1150, 0, 0])
    }

    @Test("auto takes the GP sampler at small budgets; past 50 trials TPE over numbers only and the GP up to 100 over a space with a choice; TPE from 31 to 50 over spaces of many choices and past 100 everywhere; other kinds stand for themselves")
    func auto() throws {
        let choices = try SearchSpace.parse(Data(#"{"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "choice", "_value": [1, 2]}}"#.utf8))
        #expect(TunerKind.auto.resolved(budget: 20, space: choices) == .gp)
        #expect(TunerKind.auto.resolved(budget: 40, space: space) == .tpe)  // one choice of three parameters: a third
        let numbers = try SearchSpace.parse(Data("""
            {"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "choice", "_value": [1, 2]},
             "c": {"_type": "randint", "_value": [0, 9]}, "d": {"_type": "loguniform", "_value": [0.1, 1]}}
            """.utf8))
        #expect(TunerKind.auto.resolved(budget: 50, space: numbers) == .gp)
        #expect(TunerKind.auto.resolved(budget: 51, space: numbers) == .gp)  // one choice of four
        #expect(TunerKind.auto.resolved(budget: 100, space: numbers) == .gp)
        #expect(TunerKind.auto.resolved(budget: 101, space: numbers) == .tpe)
        #expect(TunerKind.auto.resolved(budget: 50, space: bowl) == .gp)
        #expect(TunerKind.auto.resolved(budget: 51, space: bowl) == .tpe)  // no choice
        #expect(TunerKind.auto.resolved(budget: 100, space: bowl) == .tpe)
        #expect(TunerKind.auto.resolved(budget: 40, space: choices) == .tpe)
        #expect(TunerKind.auto.resolved(budget: 51, space: space) == .gp)
        #expect(TunerKind.auto.resolved(budget: 100, space: space) == .gp)
        #expect(TunerKind.auto.resolved(budget: 101, space: space) == .tpe)
        #expect(TunerKind.anneal.resolved(budget: 10, space: space) == .anneal)
        #expect(try TunerKind(name: "GPTuner") == .gp)
    }
}
