import Foundation
import Tuner

/// A one-at-a-time sweep as a factor × value grid: the baseline (its first trial), each trial that
/// changes one parameter in the row of that parameter, the best value of each row marked, and the
/// trials that change several parameters (the combinations) below.
struct SweepGrid {
    let baseline: TrialRecord
    /// Each varied parameter, in the order first tried, with its trials in the order run.
    let rows: [(parameter: String, trials: [TrialRecord])]
    let combinations: [TrialRecord]
    let maximize: Bool

    /// Nil when no trial differs from the first in exactly one parameter.
    init?(trials: [TrialRecord], maximize: Bool) {
        guard let baseline = trials.first else { return nil }
        var rows: [(parameter: String, trials: [TrialRecord])] = []
        var combinations: [TrialRecord] = []
        for t in trials.dropFirst() {
            let changed = Set(t.configuration.values.keys).union(baseline.configuration.values.keys)
                .filter { t.configuration[$0] != baseline.configuration[$0] }.sorted()
            if changed.count == 1 {
                if let i = rows.firstIndex(where: { $0.parameter == changed[0] }) { rows[i].trials.append(t) } else { rows.append((changed[0], [t])) }
            } else if changed.count > 1 {
                combinations.append(t)
            }
        }
        guard !rows.isEmpty else { return nil }
        self.baseline = baseline
        self.rows = rows
        self.combinations = combinations
        self.maximize = maximize
    }

    private func better(_ a: TrialRecord, than b: TrialRecord?) -> Bool {
        guard a.status == .succeeded, let m = a.metric, m.isFinite else { return false }
        guard let b, b.status == .succeeded, let n = b.metric, n.isFinite else { return true }
        return maximize ? m > n : m < n
    }

    func html(experiment: String) -> String {
        func cell(_ t: TrialRecord, best: Bool) -> String {
            "<td class=\"\(best ? "best" : "")\" data-trial=\"\(t.number)\"\(best ? " data-best=\"1\"" : "")>"
                + "<a href=\"\(HTML.escape(HTML.trialLink(experiment: experiment, number: t.number)))\">\(HTML.number(t.metric))</a>"
                + (t.status == .succeeded ? "" : " " + HTML.badge(t.status.rawValue)) + "</td>"
        }
        var html = "<section data-testid=\"sweep-grid\"><h2>Sweep: one factor at a time</h2>\n<table class=\"grid\"><tbody>\n"
        html += "<tr><th>baseline</th><td colspan=\"2\">\(HTML.escape(baseline.configuration.json))</td>\(cell(baseline, best: false))</tr>\n"
        for row in rows {
            let best = ([baseline] + row.trials).reduce(nil as TrialRecord?) { better($1, than: $0) ? $1 : $0 }
            html += "<tr data-factor=\"\(HTML.escape(row.parameter))\"><th>\(HTML.escape(row.parameter))</th>"
            html += "<td class=\"muted\">baseline \(HTML.escape(baseline.configuration[row.parameter]?.description ?? "–"))</td><td></td>"
            for t in row.trials {
                html += "<td class=\"value\">\(HTML.escape(t.configuration[row.parameter]?.description ?? "–"))</td>"
                    + cell(t, best: best?.number == t.number)
            }
            html += "</tr>\n"
        }
        for t in combinations {
            let changed = t.configuration.values.keys.filter { t.configuration[$0] != baseline.configuration[$0] }.sorted()
                .map { "\($0)=\(t.configuration[$0]!.description)" }.joined(separator: " ")
            html += "<tr class=\"combination\"><th>combination</th><td colspan=\"2\">\(HTML.escape(changed))</td>\(cell(t, best: false))</tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }
}
