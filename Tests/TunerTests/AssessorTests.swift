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
            let settings = ExperimentSettings(name: "e", maxTrials: 4, maximize: true, medianStop: true, assessorStartStep: 2)
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
