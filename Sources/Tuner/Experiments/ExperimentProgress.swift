import Foundation

/// Where an experiment stands after a trial: trials done, the best so far and the time left.
public struct ExperimentProgress: Sendable {
    /// Trials that are over (succeeded, failed or stopped early), reused ones included.
    public var finished: Int
    public var maxTrials: Int
    public var best: TrialRecord?
    public var elapsed: Double
    /// From the mean duration of the trials run so far and the concurrency, capped by `max_duration`;
    /// nil before any trial ran.
    public var secondsLeft: Double?
    /// A multi-fidelity experiment's budget parameter, said with each trial (`trial 7 at epochs 9 succeeded`).
    public var budgetParameter: String?

    /// "trial 7 succeeded 0.8123 · 7/20 done · best 0.8311 (#4) · 3m10s elapsed, about 5m50s left".
    public func line(for trial: TrialRecord) -> String {
        var text = "trial \(trial.number)"
        if let budgetParameter, let budget = trial.configuration[budgetParameter] { text += " at \(budgetParameter) \(budget)" }
        text += " \(trial.status.rawValue.lowercased())"
        if trial.reused { text += " (reused)" }
        if let metric = trial.metric { text += String(format: " %.6g", metric) }
        if let error = trial.error { text += " (\(error))" }
        text += " · \(finished)/\(maxTrials) done · "
        text += best.map { String(format: "best %.6g (#%d)", $0.metric ?? .nan, $0.number) } ?? "no best yet"
        text += " · \(Self.duration(elapsed)) elapsed"
        if let left = secondsLeft, left.isFinite { text += left == 0 ? "" : ", about \(Self.duration(left)) left" }
        return text
    }

    /// Seconds as a person reads them: 0.12s, 3.4s, 2m05s, 1h02m.
    public static func duration(_ seconds: Double) -> String {
        if seconds < 10 { return String(format: "%.2fs", seconds) }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        return whole < 3600 ? String(format: "%dm%02ds", whole / 60, whole % 60)
            : String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }
}
