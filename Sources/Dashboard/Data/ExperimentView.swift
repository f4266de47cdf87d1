import Foundation
import Report
import Tuner

/// An experiment as the dashboard shows it: its trials, its direction (from its stage, else
/// maximize), its best trial as `labmake` names it, and its parameters.
struct ExperimentView {
    let name: String
    let trials: [TrialRecord]
    let stage: PipelineState.Stage?
    /// Each trial's parameters with nested choices spread out, by trial number (see ``Configuration/flattened``).
    let flat: [Int: [String: ParameterValue]]
    /// Every parameter any trial has, nested choices spread out, sorted.
    let parameters: [String]

    init(name: String, trials: [TrialRecord], stage: PipelineState.Stage?) {
        self.name = name
        self.trials = trials
        self.stage = stage
        var flat: [Int: [String: ParameterValue]] = [:]
        var names = Set<String>()
        for t in trials {
            let values = t.configuration.flattened
            flat[t.number] = values
            names.formUnion(values.keys)
        }
        self.flat = flat
        parameters = names.sorted()
    }

    var maximize: Bool { stage?.maximize ?? true }

    /// Whether a run drives the experiment now (some trial runs or waits): only then does it take requests.
    var isLive: Bool { trials.contains { $0.status == .running || $0.status == .waiting } }

    /// The parameter that carries a multi-fidelity trial's budget, when the trials have one.
    var budgetParameter: String? { Self.budgetParameter(of: trials, stage: stage) }

    static func budgetParameter(of trials: [TrialRecord], stage: PipelineState.Stage?) -> String? {
        if !trials.isEmpty, trials.allSatisfy({ $0.configuration[MultiFidelity.trialBudget] != nil }) { return MultiFidelity.trialBudget }
        if let tuner = stage?.tuner, ["hyperband", "bohb"].contains(tuner.lowercased()) { return "epochs" }
        return nil
    }

    /// The best trial, as `labmake trials` and the stage's `best.json` name it.
    var best: TrialRecord? { Self.best(of: trials, stage: stage) }

    /// The best of `trials`, in the direction of `stage` (maximize without one), at the largest budget for a multi-fidelity experiment.
    static func best(of trials: [TrialRecord], stage: PipelineState.Stage?) -> TrialRecord? {
        trials.best(maximize: stage?.maximize ?? true, budgetParameter: budgetParameter(of: trials, stage: stage))
    }

    /// The trials that `filter` keeps.
    func trials(matching filter: TrialFilter) -> [TrialRecord] {
        filter.isEmpty ? trials : trials.filter { filter.matches($0, parameters: flat[$0.number] ?? [:]) }
    }

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
