import Foundation
import SystemIO
import Testing
import Tuner

/// A trial that reports `series` one value at a time and, when the assessor stops it, says what NNI's
/// SDK would already have written: the FINAL when `finalBeforeStop`.
struct SeriesRunner: TrialRunner {
    let series: @Sendable (Configuration) -> [Double]
    var finalBeforeStop = false

    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        let values = series(trial.configuration)
        for value in values where !report(value) {
            throw TrialStopped(final: finalBeforeStop ? TrialResult(metric: values.last!) : nil)
        }
        return TrialResult(metric: values.last!)
    }
}

@Suite("The medianstop assessor, as NNI's")
struct AssessorTests {
    @Test("start_step: judged once the history has start_step entries, not one later")
    func startStep() {
        let completed = [[0.9, 0.9, 0.9]]
        #expect(!MedianStop(startStep: 2, maximize: true).shouldContinue([0.1, 0.1], completed: completed))
        #expect(MedianStop(startStep: 3, maximize: true).shouldContinue([0.1, 0.1], completed: completed))
        #expect(!MedianStop(startStep: 0, maximize: true).shouldContinue([0.1], completed: completed))
    }

    @Test("an even count takes NNI's median: the lower middle when maximizing, the upper when minimizing")
    func evenMedian() {
        let completed = [[0.2], [0.4], [0.6], [0.8]]
        // Maximizing: median = 0.4 (lower middle); averaging the middle two would say 0.5.
        #expect(MedianStop(maximize: true).shouldContinue([0.45], completed: completed))
        #expect(!MedianStop(maximize: true).shouldContinue([0.39], completed: completed))
        // Minimizing: median = 0.6 (upper middle).
        #expect(MedianStop(maximize: false).shouldContinue([0.55], completed: completed))
        #expect(!MedianStop(maximize: false).shouldContinue([0.61], completed: completed))
    }

    @Test("the running averages of trials that reached step t, the trial's best so far")
    func runningAverages() {
        let completed = [[0.5, 0.6, 0.7], [0.4, 0.5, 0.6], [0.6, 0.7, 0.8], [0.9]]
        let rule = MedianStop(maximize: true)
        #expect(rule.shouldContinue([0.6, 0.65], completed: completed))
        #expect(!rule.shouldContinue([0.1, 0.2], completed: completed))
        // Best so far, not the last value: 0.7 then 0.1 is still judged by 0.7.
        #expect(rule.shouldContinue([0.7, 0.1], completed: completed))
    }

    @Test("every intermediate is judged as it arrives; a stopped trial keeps its last value, its step, and a FINAL written before the stop")
    func experiment() throws {
        let space = try SearchSpace.parse(Data(#"{"x": {"_type": "choice", "_value": [1, 2, 3, 4]}}"#.utf8))
        // The grid runs x = 1 first, the best; x = 2, 3 and 4 fall below its running average at step 2.
        let series: @Sendable (Configuration) -> [Double] = { c in
            let x = c["x"]!.number!
            return (1...5).map { step in (5 - x) * (5 - x) / 16 * Double(step) / 5 }
        }
        for keepsFinal in [false, true] {
            let settings = ExperimentSettings(name: "e", maxTrials: 4, maximize: true, assessor: .medianstop, assessorStartStep: 2)
            let trials = try Experiment(settings: settings, space: space, sampler: GridSampler(),
                                        runner: SeriesRunner(series: series, finalBeforeStop: keepsFinal), store: MemoryTrialStore()).run()
            let stopped = trials.filter { $0.status == .earlyStopped }
            #expect(trials.filter { $0.status == .succeeded }.map { $0.configuration["x"] } == [.int(1)])
            #expect(stopped.count == 3)
            for trial in stopped {
                // Stopped at step 2, the first step judged: not one step late, with both results kept.
                #expect(trial.intermediates.count == 2, "\(trial)")
                #expect(trial.intermediates == Array(series(trial.configuration).prefix(2)))
                #expect(trial.metric == (keepsFinal ? series(trial.configuration).last : nil))
            }
        }
    }
}

@Suite("Asynchronous successive halving over Hyperband's brackets")
struct SuccessiveHalvingTests {
    @Test("brackets and rungs are Optuna's HyperbandPruner's for R = 27: rungs from 1, 3, 9 or 27 results, trials dealt 27:12:6:4")
    func brackets() {
        let rule = SuccessiveHalvingStop(startStep: 1, maximize: true, maxResource: 27)
        #expect(rule.largestBracket == 3)
        #expect((1...30).filter { rule.isRung($0, bracket: 3) } == [1, 3, 9])
        #expect((1...30).filter { rule.isRung($0, bracket: 2) } == [3, 9])
        #expect((1...30).filter { rule.isRung($0, bracket: 0) } == [])
        let dealt = (1...49).map(rule.bracket(of:))
        #expect((0...3).map { s in dealt.filter { $0 == s }.count } == [4, 6, 12, 27])
        #expect(rule.bracket(of: 50) == rule.bracket(of: 1))
        // Until a trial has finished, R is unknown and nothing is a rung.
        #expect(!SuccessiveHalvingStop(maximize: true, maxResource: nil).isRung(1, bracket: 0))
        #expect(SuccessiveHalvingStop(startStep: 2, maximize: true, maxResource: 20).largestBracket == 2)
    }

    @Test("a trial at a rung goes on when it is among the best third of its bracket's trials that got there, or the best")
    func rule() {
        let rule = SuccessiveHalvingStop(maximize: true, maxResource: 27)
        #expect(rule.shouldContinue([0.5], others: []))
        #expect(!rule.shouldContinue([0.5], others: [[0.6]]))
        #expect(rule.shouldContinue([0.7], others: [[0.6]]))
        // Six at rung 3 (by their third result): the best two go on; a trial with fewer results does not count.
        let others = [[0, 0, 0.9], [0, 0, 0.8], [0, 0, 0.2], [0, 0, 0.1], [0, 0, 0.3], [0.95]]
        #expect(rule.shouldContinue([0, 0, 0.85], others: others))
        #expect(!rule.shouldContinue([0, 0, 0.7], others: others))
        #expect(SuccessiveHalvingStop(maximize: false, maxResource: 27).shouldContinue([0.1], others: [[0.2], [0.3]]))
    }

    @Test("an experiment with asha runs the first trial to the end, then stops trials of the eager brackets that trail at their rungs")
    func experiment() throws {
        let space = try SearchSpace.parse(Data(#"{"x": {"_type": "randint", "_value": [1, 40]}}"#.utf8))
        // Nine steps; the smaller x, the better at every step.
        let series: @Sendable (Configuration) -> [Double] = { c in
            let x = c["x"]!.number!
            return (1...9).map { step in x / 10 + 1 / Double(step) }
        }
        // The grid runs x = 1, 2, …: each new trial trails every one before it.
        let settings = ExperimentSettings(name: "asha", maxTrials: 26, maximize: false, assessor: .asha)
        let trials = try Experiment(settings: settings, space: space, sampler: GridSampler(),
                                    runner: SeriesRunner(series: series, finalBeforeStop: false), store: MemoryTrialStore()).run()
        let rule = SuccessiveHalvingStop(maximize: false, maxResource: 9)
        #expect(trials[0].status == .succeeded && trials[0].intermediates.count == 9)
        for trial in trials.dropFirst() {
            let bracket = rule.bracket(of: trial.number)
            let firstRung = (1...9).first { rule.isRung($0, bracket: bracket) }
            if let firstRung {
                // The first of its bracket goes on past its rungs (it is alone there); the others stop at the first rung.
                let alone = !trials.contains { $0.number < trial.number && rule.bracket(of: $0.number) == bracket }
                #expect(trial.status == (alone ? .succeeded : .earlyStopped), "trial \(trial.number) bracket \(bracket)")
                if !alone { #expect(trial.intermediates.count == firstRung) }
            } else {
                #expect(trial.status == .succeeded, "trial \(trial.number) bracket \(bracket) has no rung")
            }
        }
        #expect(trials.filter { $0.status == .earlyStopped }.count > 15)
    }
}
