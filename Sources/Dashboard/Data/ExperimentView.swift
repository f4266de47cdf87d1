import Foundation
import Report
import Tuner

/// An experiment as the dashboard shows it: its trials, its direction (from its stage, else
/// maximize), its best trial as `labmake` names it, and its parameters.
struct ExperimentView {
    let name: String
    let trials: [TrialRecord]
    let stage: PipelineState.Stage?

    var maximize: Bool { stage?.maximize ?? true }

    /// The parameter that carries a multi-fidelity trial's budget, when the trials have one.
    var budgetParameter: String? {
        if !trials.isEmpty, trials.allSatisfy({ $0.configuration[MultiFidelity.trialBudget] != nil }) { return MultiFidelity.trialBudget }
        if let tuner = stage?.tuner, ["hyperband", "bohb"].contains(tuner.lowercased()) { return "epochs" }
        return nil
    }

    /// The best trial, as `labmake trials` and the stage's `best.json` name it.
    var best: TrialRecord? { trials.best(maximize: maximize, budgetParameter: budgetParameter) }

    /// Every parameter any trial has, nested choices spread out (see ``Configuration/flattened``), sorted.
    var parameters: [String] { Array(Set(trials.flatMap { $0.configuration.flattened.keys })).sorted() }

    /// The trials as the charts take them, times counted from the first start.
    func chartTrials(_ trials: [TrialRecord]) -> [ExperimentCharts.Trial] {
        let origin = self.trials.compactMap(\.startedAt).min()
        return trials.map { t in
            ExperimentCharts.Trial(number: t.number, status: t.status.rawValue, metric: t.metric, intermediates: t.intermediates,
                                   start: origin.flatMap { o in t.startedAt.map { $0.timeIntervalSince(o) } },
                                   end: origin.flatMap { o in t.endedAt.map { $0.timeIntervalSince(o) } })
        }
    }

    /// Seconds from the first start to `now`, on the charts' clock.
    func elapsed(at now: Date) -> Double {
        trials.compactMap(\.startedAt).min().map { now.timeIntervalSince($0) } ?? 0
    }
}
