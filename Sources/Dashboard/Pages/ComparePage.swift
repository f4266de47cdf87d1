import Foundation
import Report
import Tuner

/// `/compare`: chosen trials side by side (`?t=EXPERIMENT:N` repeated; only the parameters that differ
/// unless `all=1`, each metric's difference to the reference trial `ref=K`, curves overlaid), or whole
/// experiments overlaid (`?e=EXPERIMENT` repeated: the best so far against trials run, and a summary
/// row each — the manual sweep against TPE against random search on one page).
struct ComparePage {
    /// A trial chosen for comparison, with the experiment it belongs to.
    struct Chosen {
        var experiment: ExperimentView
        var trial: TrialRecord
        var label: String { "\(experiment.name) #\(trial.number)" }
    }

    let trials: [Chosen]
    let experiments: [ExperimentView]
    let showAll: Bool
    let reference: Int

    func body() -> String {
        var html = "<nav class=\"crumbs\"><a href=\"/\">workspace</a> › compare</nav>\n<h1>Compare</h1>\n"
        if trials.isEmpty && experiments.isEmpty {
            return html + "<p class=\"muted\" data-testid=\"nothing-chosen\">Choose trials in an experiment's table, or experiments on the overview, "
                + "and compare them here.</p>\n"
        }
        if !experiments.isEmpty { html += experimentsSection() }
        if !trials.isEmpty { html += trialsSection() }
        return html
    }

    private func experimentsSection() -> String {
        let maximize = experiments.first?.maximize ?? true
        var html = "<section data-testid=\"compare-experiments\"><h2>Experiments</h2>\n"
        let series = experiments.map { e in ExperimentCharts.Series(name: e.name, metrics: e.trials.map { $0.status == .succeeded ? $0.metric : nil }) }
        html += "<figure class=\"chart\" data-testid=\"best-so-far\">"
            + ExperimentCharts.bestSoFar(series, title: "best so far", metric: "metric", maximize: maximize) + "</figure>\n"
        html += "<figure class=\"chart\" data-testid=\"distribution\">"
            + ExperimentCharts.distribution(series, title: "distribution of results", metric: "metric") + "</figure>\n"
        html += "<table data-testid=\"experiment-summary\"><thead><tr><th>experiment</th><th>trials</th><th>succeeded</th><th>best</th>"
            + "<th>reached at trial</th><th>trial time</th></tr></thead><tbody>\n"
        for e in experiments {
            let best = e.best
            let time = e.trials.compactMap(\.seconds).reduce(0, +)
            html += "<tr data-experiment=\"\(HTML.escape(e.name))\"><td><a href=\"\(HTML.escape(HTML.experimentLink(e.name)))\">\(HTML.escape(e.name))</a></td>"
                + "<td>\(e.trials.count)</td><td>\(e.trials.filter { $0.status == .succeeded }.count)</td>"
                + "<td data-value=\"\(HTML.number(best?.metric))\">\(HTML.number(best?.metric))</td>"
                + "<td>\(best.map { String($0.number) } ?? "–")</td><td>\(HTML.seconds(time))</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    private func trialsSection() -> String {
        let ref = trials[Swift.min(Swift.max(reference, 0), trials.count - 1)]
        let names = Array(Set(trials.flatMap { $0.experiment.flat[$0.trial.number]?.keys.map { $0 } ?? [] })).sorted()
        let differing = names.filter { name in Set(trials.map { $0.experiment.flat[$0.trial.number]?[name]?.description ?? "–" }).count > 1 }
        let rows = showAll ? names : differing
        var html = "<section data-testid=\"compare-trials\"><h2>Trials</h2>\n<p>"
        html += showAll ? "All parameters. <a href=\"\(HTML.escape(link(all: false, reference: reference)))\">Only those that differ</a>"
            : "\(differing.count) of \(names.count) parameters differ. <a href=\"\(HTML.escape(link(all: true, reference: reference)))\" data-testid=\"show-all\">Show all</a>"
        html += " · differences are to the reference, marked ★.</p>\n<table class=\"compare\" data-testid=\"compare-table\"><thead><tr><th></th>"
        for (k, c) in trials.enumerated() {
            let star = k == reference ? " ★" : " <a class=\"muted\" href=\"\(HTML.escape(link(all: showAll, reference: k)))\" title=\"make it the reference\">☆</a>"
            html += "<th data-column=\"\(k)\"><a href=\"\(HTML.escape(HTML.trialLink(experiment: c.experiment.name, number: c.trial.number)))\">"
                + "\(HTML.escape(c.label))</a>\(star)</th>"
        }
        html += "</tr></thead><tbody>\n"
        html += "<tr data-row=\"status\"><th>status</th>" + trials.map { "<td>\(HTML.badge($0.trial.status.rawValue))</td>" }.joined() + "</tr>\n"
        html += "<tr data-row=\"metric\"><th>metric</th>" + trials.map { c in
            let delta = c.trial.metric.flatMap { m in ref.trial.metric.map { m - $0 } }
            let shown = c.trial.number == ref.trial.number && c.experiment.name == ref.experiment.name ? ""
                : delta.map { " <span class=\"delta\" data-delta=\"\(HTML.signed($0))\">(\(HTML.signed($0)))</span>" } ?? ""
            return "<td data-value=\"\(HTML.number(c.trial.metric))\">\(HTML.number(c.trial.metric))\(shown)</td>"
        }.joined() + "</tr>\n"
        html += "<tr data-row=\"seconds\"><th>took</th>" + trials.map { "<td>\(HTML.seconds($0.trial.seconds))</td>" }.joined() + "</tr>\n"
        for name in rows {
            let refValue = ref.experiment.flat[ref.trial.number]?[name]?.description
            html += "<tr data-row=\"param:\(HTML.escape(name))\"><th>\(HTML.escape(name))</th>" + trials.map { c in
                let value = c.experiment.flat[c.trial.number]?[name]?.description
                return "<td class=\"\(value != refValue ? "changed" : "")\">\(HTML.escape(value ?? "–"))</td>"
            }.joined() + "</tr>\n"
        }
        html += "</tbody></table>\n"
        let curves = trials.filter { !$0.trial.intermediates.isEmpty }.map { (label: $0.label, values: $0.trial.intermediates) }
        if !curves.isEmpty {
            html += "<figure class=\"chart\" data-testid=\"compare-curves\">"
                + ExperimentCharts.overlaid(curves, title: "intermediate results", metric: "metric") + "</figure>\n"
        }
        return html + "</section>\n"
    }

    private func link(all: Bool, reference: Int) -> String {
        "/compare" + HTML.query(trials.map { ("t", "\($0.experiment.name):\($0.trial.number)") } + experiments.map { ("e", $0.name) }
                                + [("all", all ? "1" : ""), ("ref", reference == 0 ? "" : String(reference))])
    }
}
