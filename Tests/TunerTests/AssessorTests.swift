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

@Suite("Asynchronous successive halving")
struct SuccessiveHalvingTests {
    @Test("rungs are at r·3^k results; a trial goes on when it is among the best third of those that reached the rung, or the best")
    func rule() {
        let rule = SuccessiveHalvingStop(startStep: 1, maximize: true)
        #expect((1...30).filter(rule.isRung) == [1, 3, 9, 27])
        #expect(SuccessiveHalvingStop(startStep: 2, maximize: true).isRung(6))
        #expect(!SuccessiveHalvingStop(startStep: 2, maximize: true).isRung(3))
        // Alone at a rung: it goes on. Second of two: only the best one goes on.
        #expect(rule.shouldContinue([0.5], others: []))
        #expect(!rule.shouldContinue([0.5], others: [[0.6]]))
        #expect(rule.shouldContinue([0.7], others: [[0.6]]))
        // Six at rung 3 (by their third result): the best two go on.
        let others = [[0, 0, 0.9], [0, 0, 0.8], [0, 0, 0.2], [0, 0, 0.1], [0, 0, 0.3]]
        #expect(rule.shouldContinue([0, 0, 0.85], others: others))
        #expect(!rule.shouldContinue([0, 0, 0.7], others: others))
        // Not at a rung: never judged. Minimizing: the smallest go on.
        #expect(rule.shouldContinue([0, 0, 0, -5], others: others))
        #expect(SuccessiveHalvingStop(maximize: false).shouldContinue([0.1], others: [[0.2], [0.3]]))
    }

    @Test("an experiment with asha stops the worse trials at their rungs and spends fewer results than it would run")
    func experiment() throws {
        let space = try SearchSpace.parse(Data(#"{"x": {"_type": "choice", "_value": [1, 2, 3, 4, 5, 6, 7, 8, 9]}}"#.utf8))
        // Nine steps; the larger x, the better at every step.
        let series: @Sendable (Configuration) -> [Double] = { c in
            let x = c["x"]!.number!
            return (1...9).map { step in x / 10 * Double(step) / 9 }
        }
        let settings = ExperimentSettings(name: "asha", maxTrials: 9, maximize: true, assessor: .asha, assessorStartStep: 1)
        let trials = try Experiment(settings: settings, space: space, sampler: GridSampler(),
                                    runner: SeriesRunner(series: series, finalBeforeStop: false), store: MemoryTrialStore()).run()
        // The grid runs x = 1…9 in order, each better than all before it: every trial leads its rungs and goes on.
        #expect(trials.allSatisfy { $0.status == .succeeded })
        // In the other order each new trial is the worst at its first rung, once there are others.
        let reversed = try Experiment(settings: ExperimentSettings(name: "asha-down", maxTrials: 9, maximize: false, assessor: .asha),
                                      space: space, sampler: GridSampler(), runner: SeriesRunner(series: series, finalBeforeStop: false),
                                      store: MemoryTrialStore()).run()
        #expect(reversed.first?.status == .succeeded)
        #expect(reversed.dropFirst().allSatisfy { $0.status == .earlyStopped && $0.intermediates.count == 1 })
    }
}
