import Foundation
import Randomness
import Testing
@testable import Tuner

@Suite("Hyperband and BOHB")
struct HyperbandTests {
    let space = try! SearchSpace.parse(Data("""
        {"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "loguniform", "_value": [0.001, 1]},
         "c": {"_type": "choice", "_value": ["x", "y", "z"]}}
        """.utf8))

    /// A loss that shrinks towards the configuration's own floor as the budget grows, with a bias at
    /// small budgets that favours large `b` (as a large learning rate is ahead early and behind at the end).
    func loss(_ c: Configuration, parameter: String = "TRIAL_BUDGET") -> Double {
        let (a, b) = (c.values["a"]!.number!, log10(c.values["b"]!.number!))
        let budget = c.values[parameter]!.number!
        let floor = (a - 0.3) * (a - 0.3) + (b + 2) * (b + 2) / 9 + (c.values["c"] == .string("y") ? 0 : 0.3)
        return floor + (0.5 - 0.1 * (b + 3)) / budget
    }

    /// Runs `trials` trials one at a time; returns them in order.
    func run(_ kind: TunerKind, _ fidelity: MultiFidelity, trials: Int, seed: UInt64 = 0, store: MemoryTrialStore = MemoryTrialStore(),
             concurrency: Int = 1) throws -> [TrialRecord] {
        let settings = ExperimentSettings(name: "hb", maxTrials: trials, concurrency: concurrency, maximize: false, seed: seed,
                                          budgetParameter: fidelity.parameter)
        let runner = FunctionRunner { [self] c in loss(c, parameter: fidelity.parameter) }
        return try Experiment(settings: settings, space: space, sampler: kind.makeSampler(fidelity: fidelity), runner: runner, store: store).run()
    }

    @Test("brackets, rung sizes and budgets are NNI's: R = 60 and 27 with eta 3, BOHB's defaults")
    func brackets() throws {
        let r60 = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 60, eta: 3)
        #expect(r60.largestBracket == 3)
        #expect((0...3).map { r60.budget(bracket: 3, rung: $0) } == [2, 6, 20, 60])
        #expect((0...3).map { r60.configurations(bracket: $0) } == [4, 6, 12, 27])
        #expect((0...3).map { r60.rungSize(bracket: 3, rung: $0) } == [27, 9, 3, 1])
        let r27 = try MultiFidelity(parameter: "epochs", maxBudget: 27, eta: 3)
        #expect((0...3).map { r27.budget(bracket: 3, rung: $0) } == [1, 3, 9, 27])
        #expect(r27.trialsPerRound == 40 + 17 + 8 + 4)
        #expect(r27.summary.hasPrefix("budgets 1, 3, 9, 27 epochs (eta 3)"))
        let bohb = MultiFidelity.nniDefaults(for: .bohb)
        #expect(bohb.largestBracket == 1 && bohb.configurations(bracket: 1) == 3 && bohb.configurations(bracket: 0) == 2)
        let fractional = try MultiFidelity(parameter: "TRIAL_BUDGET", minBudget: 1, maxBudget: 10, eta: 3, integral: false)
        #expect(abs(fractional.budget(bracket: 2, rung: 0) - 10.0 / 9) < 1e-12)
        #expect(fractional.value(fractional.budget(bracket: 2, rung: 2)) == .int(10))
    }

    @Test("bad budgets are refused with what to change")
    func badBudgets() {
        #expect(throws: TunerError.self) { try MultiFidelity(parameter: "epochs", minBudget: 0, maxBudget: 9) }
        #expect(throws: TunerError.self) { try MultiFidelity(parameter: "epochs", minBudget: 10, maxBudget: 9) }
        #expect(throws: TunerError.self) { try MultiFidelity(parameter: "epochs", maxBudget: 9, eta: 1) }
        #expect(throws: TunerError.self) { try MultiFidelity(parameter: "epochs", minBudget: 1e-9, maxBudget: 1e9) }
        #expect(throws: TunerError.self) { try MultiFidelity(parameter: "epochs", maxBudget: .infinity) }
        #expect(throws: TunerError.self) { try FidelityOptions(eta: 2).fidelity(tuner: .tpe, trainingEpochs: nil) }
        let space = try! SearchSpace.parse(Data(#"{"epochs": {"_type": "randint", "_value": [1, 9]}}"#.utf8))
        #expect(throws: TunerError.self) { try FidelityOptions.check(space, against: MultiFidelity(parameter: "epochs", maxBudget: 9)) }
    }

    @Test("successive halving: the best third of each rung runs again at three times the budget, then the next bracket")
    func successiveHalving() throws {
        let fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 27, eta: 3)
        let trials = try run(.hyperband, fidelity, trials: 40 + 17)
        let budgets = trials.map { Int(fidelity.budget(of: $0.configuration)!) }
        #expect(budgets == Array(repeating: 1, count: 27) + Array(repeating: 3, count: 9) + Array(repeating: 9, count: 3) + [27]
                + Array(repeating: 3, count: 12) + Array(repeating: 9, count: 4) + [27])
        // Each rung's configurations are the best of the rung before, best first.
        func promoted(from rung: ArraySlice<TrialRecord>, count: Int) -> [Configuration] {
            rung.sorted { ($0.metric!, $0.number) < ($1.metric!, $1.number) }.prefix(count).map { fidelity.base(of: $0.configuration) }
        }
        #expect(trials[27..<36].map { fidelity.base(of: $0.configuration) } == promoted(from: trials[0..<27], count: 9))
        #expect(trials[36..<39].map { fidelity.base(of: $0.configuration) } == promoted(from: trials[27..<36], count: 3))
        #expect(trials[39..<40].map { fidelity.base(of: $0.configuration) } == promoted(from: trials[36..<39], count: 1))
        #expect(trials[52..<56].map { fidelity.base(of: $0.configuration) } == promoted(from: trials[40..<52], count: 4))
        // The first rung is spread over the space: every third of a's range holds 9 of 27 points.
        let thirds = trials[0..<27].map { min(2, Int(($0.configuration["a"]!.number!) * 3)) }
        #expect((0..<3).map { k in thirds.filter { $0 == k }.count } == [9, 9, 9])
        // The best is the best trial at the largest budget, not a better-looking one at a small budget.
        let best = try #require(trials.best(maximize: false, budgetParameter: "TRIAL_BUDGET"))
        #expect(fidelity.budget(of: best.configuration) == 27)
    }

    @Test("an experiment stopped mid-rung and resumed proposes what an uninterrupted one would, for Hyperband and BOHB")
    func resume() throws {
        let fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 9, eta: 3)
        for kind in [TunerKind.hyperband, .bohb] {
            let whole = try run(kind, fidelity, trials: 45, seed: 4)
            let store = MemoryTrialStore()
            _ = try run(kind, fidelity, trials: 11, seed: 4, store: store)
            _ = try run(kind, fidelity, trials: 26, seed: 4, store: store)
            let resumed = try run(kind, fidelity, trials: 45, seed: 4, store: store)
            #expect(resumed.map(\.configuration) == whole.map(\.configuration), "\(kind)")
        }
    }

    @Test("the ledger waits for a rung in serial mode and starts the next bracket in parallel mode; failed trials are not promoted")
    func ledger() throws {
        var fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 9, eta: 3)
        var random = SplitMix64(seed: 1)
        var history = (0..<9).map { k -> Observation in
            let c = fidelity.configuration(space.sample(using: &random), budget: 1)
            return Observation(configuration: c, loss: k == 8 ? nil : Double(9 - k), state: k == 8 ? .running : .finished)
        }
        guard case .new(budget: 3, bracket: 1, ordinal: 1, index: 0) = HyperbandLedger(history: history, fidelity: fidelity).next() else {
            Issue.record("parallel mode should open bracket 1 at budget 3")
            return
        }
        fidelity.serial = true
        #expect(HyperbandLedger(history: history, fidelity: fidelity).next() == .wait)
        // The last one fails: the best three of the eight that finished go on (losses 2, 3, 4: the eighth, seventh and sixth).
        history[8].state = .failed
        let ledger = HyperbandLedger(history: history, fidelity: fidelity)
        #expect(ledger.next() == .promote(fidelity.base(of: history[7].configuration), budget: 3))
        // A warm-start trial is not a member of any bracket.
        history.insert(Observation(configuration: fidelity.configuration(space.sample(using: &random), budget: 1), loss: 0, state: .finished,
                                   isPrior: true), at: 0)
        #expect(HyperbandLedger(history: history, fidelity: fidelity).next() == .promote(fidelity.base(of: history[8].configuration), budget: 3))
    }

    @Test("with trials side by side, every rung still promotes its best and no budget is skipped")
    func concurrent() throws {
        let fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 9, eta: 3)
        let trials = try run(.hyperband, fidelity, trials: 40, concurrency: 4)
        let resumedView = HyperbandLedger(history: trials.map {
            Observation(configuration: $0.configuration, loss: $0.metric, state: .finished)
        }, fidelity: fidelity)
        for bracket in resumedView.brackets {
            for (i, rung) in bracket.rungs.enumerated().dropFirst() {
                let before = bracket.rungs[i - 1].sorted { $0.loss! < $1.loss! }.prefix(rung.count).map(\.base)
                #expect(Set(rung.map(\.base)) == Set(before), "bracket \(bracket.s) rung \(i)")
            }
        }
    }

    @Test("serial mode with four workers: a bracket starts only when the one before it has ended, and the experiment ends")
    func serialBrackets() throws {
        var fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 9, eta: 3)
        fidelity.serial = true
        let settings = ExperimentSettings(name: "serial", maxTrials: 22, concurrency: 4, maximize: false, seed: 3,
                                          budgetParameter: fidelity.parameter)
        let runner = FunctionRunner { [self] c in
            Thread.sleep(forTimeInterval: 0.002)
            return loss(c)
        }
        let trials = try Experiment(settings: settings, space: space, sampler: TunerKind.hyperband.makeSampler(fidelity: fidelity),
                                    runner: runner, store: MemoryTrialStore()).run()
        #expect(trials.count == 22 && trials.allSatisfy { $0.status == .succeeded })
        // Brackets: trials 1–13 (9 + 3 + 1), 14–19 (5 + 1), 20–22 (3).
        for (first, before) in [(14, 1...13), (20, 14...19)] {
            let start = try #require(trials[first - 1].startedAt)
            let lastEnd = try #require(trials[before.lowerBound - 1..<before.upperBound].compactMap(\.endedAt).max())
            #expect(start >= lastEnd, "trial \(first) started before its bracket's predecessor ended")
        }
    }

    @Test("BOHB's model finds better configurations than Hyperband's random ones in five rounds of brackets, over ten seeds")
    func bohbLearns() throws {
        let fidelity = try MultiFidelity(parameter: "TRIAL_BUDGET", maxBudget: 9, eta: 3)
        var bohb: [Double] = [], hyperband: [Double] = []
        for seed in UInt64(0)..<10 {
            for (kind, into) in [(TunerKind.bohb, 0), (.hyperband, 1)] {
                let trials = try run(kind, fidelity, trials: 110, seed: seed)
                let best = try #require(trials.best(maximize: false, budgetParameter: "TRIAL_BUDGET")).metric!
                if into == 0 { bohb.append(best) } else { hyperband.append(best) }
            }
        }
        bohb.sort()
        hyperband.sort()
        #expect(bohb[5] < hyperband[5], "BOHB median \(bohb[5]), Hyperband median \(hyperband[5])")
    }
}

/// A runner that returns a function of the configuration.
private struct FunctionRunner: TrialRunner {
    let function: @Sendable (Configuration) -> Double
    init(_ function: @escaping @Sendable (Configuration) -> Double) { self.function = function }
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        TrialResult(metric: function(trial.configuration))
    }
}
