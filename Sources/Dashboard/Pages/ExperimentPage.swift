import Foundation
import Report
import Tuner

/// `/experiment?name=E`: the summary, the filter, the charts (metric per trial with best so far,
/// intermediate curves, parallel coordinates, timeline) and the trial table, all of the filtered trials;
/// a one-at-a-time sweep also as its factor × value grid.
struct ExperimentPage {
    /// What the URL asks for: every view state lives there.
    struct Query {
        var name: String
        var filter = ""
        var sort = "trial"
        var descending = false
        var page = 1
        /// Parameter columns; nil for the default (the first eight).
        var columns: [String]?
        /// The key of a dict metric that the charts draw (`loss` of `{"default": 0.93, "loss": 0.1}`); nil: the metric.
        var key: String?
        /// The value axis of the metric and curve charts: logarithmic, and zoomed to `a:b`.
        var logY = false
        var yRange = ""
        /// The two parameters of the contour chart; empty: the two numeric ones that go most with the metric.
        var contourX = ""
        var contourY = ""
        /// The parameter whose values are repeats (a seed): trials equal in every other parameter form a group.
        var group = ""
        /// The parallel-coordinates axes in order; nil: every parameter, sorted.
        var axes: [String]?
        /// The share of the best trials the parallel coordinates draw, in per cent (100: all, up to ``parallelLimit``).
        var top = 100

        var axis: ValueAxis { ValueAxis(logarithmic: logY, range: ValueAxis.range(yRange)) }

        /// The state as URL fields, defaults empty (a link leaves those out).
        var fields: [(String, String)] {
            [("filter", filter), ("sort", sort == "trial" ? "" : sort), ("desc", descending ? "1" : ""), ("page", page == 1 ? "" : String(page)),
             ("cols", columns.map { $0.isEmpty ? "-" : $0.joined(separator: ",") } ?? ""), ("key", key ?? ""), ("logy", logY ? "1" : ""),
             ("y", yRange), ("cx", contourX), ("cy", contourY), ("group", group), ("axes", axes?.joined(separator: ",") ?? ""),
             ("top", top == 100 ? "" : String(top))]
        }

        func link(_ change: (inout Query) -> Void) -> String {
            var q = self
            change(&q)
            return HTML.experimentLink(q.name, extra: q.fields)
        }

        /// Hidden inputs that carry the experiment and the rest of the state through a form that sets `replaced` itself,
        /// so that choosing one setting keeps the others.
        func hiddenFields(except replaced: Set<String>) -> String {
            ([("name", name)] + fields.filter { !$0.1.isEmpty && !replaced.contains($0.0) })
                .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTML.escape($0.1))\">" }.joined()
        }
    }

    static let pageSize = 50
    /// Lines on the parallel-coordinates chart: the best trials beyond this are left out, and the chart says so.
    static let parallelLimit = 500

    let view: ExperimentView
    let query: Query
    let now: Date
    /// The forms of `--control`; nil without it.
    var control: ControlPanel? = nil

    /// The budget: what the last applied control request set while the experiment runs, else the stage's `max_trials`.
    var maxTrials: Int? {
        control.flatMap { ControlPanel.raisedMaxTrials($0.requests, live: $0.isLive) } ?? view.stage?.maxTrials
    }

    func body() throws -> String {
        let parameters = view.parameters
        var problem: String?
        var filter = TrialFilter.none
        do { filter = try TrialFilter(query.filter, parameters: parameters) } catch { problem = error.description }
        let shown = view.trials(matching: filter)
        var html = "<nav class=\"crumbs\"><a href=\"/\">workspace</a> › experiment</nav>\n"
        html += "<h1 data-testid=\"experiment-name\">\(HTML.escape(view.name))</h1>\n"
        html += summary()
        if let control { html += control.section(maxTrials: maxTrials) + control.noteForm(subject: view.name) }
        html += filterForm(problem: problem, shown: shown.count)
        if view.stage?.kind == "sweep", let grid = SweepGrid(trials: view.trials, maximize: view.maximize) {
            html += grid.html(experiment: view.name)
        }
        html += charts(shown, parameters: parameters)
        html += TrialTable(view: view, query: query, trials: shown, parameters: parameters, control: control).html()
        return html
    }

    private func summary() -> String {
        var counts: [TrialStatus: Int] = [:]
        for t in view.trials { counts[t.status, default: 0] += 1 }
        var parts = TrialStatus.allCases.compactMap { status in
            counts[status].map { "<span data-testid=\"count-\(status.rawValue.lowercased())\">\($0)</span> \(status.rawValue.lowercased().replacingOccurrences(of: "_", with: " "))" }
        }
        parts.insert("<span data-testid=\"count-all\">\(view.trials.count)</span> trials"
                     + (maxTrials.map { " of <span data-testid=\"max-trials-shown\">\($0)</span>" } ?? ""), at: 0)
        var html = "<p class=\"summary\">" + parts.joined(separator: " · ") + "</p>\n"
        if let max = maxTrials, max > 0 {
            let done = view.trials.filter(\.isOver).count
            let fraction = Swift.min(Double(done) / Double(max), 1)
            html += "<div class=\"bar\" data-testid=\"budget\" data-fraction=\"\(String(format: "%.3f", fraction))\" title=\"\(done) of \(max) trials over\">"
                + "<div style=\"width: \(String(format: "%.1f", fraction * 100))%\"></div></div>\n"
            if let left = secondsLeft(maxTrials: max) {
                html += "<p class=\"muted\" data-testid=\"eta\" data-seconds=\"\(Int(left.rounded()))\">about \(HTML.seconds(left)) left "
                    + "(\(Swift.max(max - done, 0)) trials to go at the pace of the latest)</p>\n"
            }
        }
        var facts: [String] = ["direction: \(view.maximize ? "maximize" : "minimize")"]
        if let stage = view.stage {
            facts.insert("stage: <a href=\"/stage\(HTML.escape(HTML.query([("name", stage.name)])))\" data-testid=\"stage-link\">"
                         + "\(HTML.escape(stage.name))</a> (its definition and search space)", at: 0)
        }
        if let tuner = view.stage?.tuner { facts.append("tuner: \(HTML.escape(tuner))") }
        if let assessor = view.stage?.assessor { facts.append("assessor: \(HTML.escape(assessor))") }
        if let budget = view.budgetParameter { facts.append("budget: \(HTML.escape(budget))") }
        if let best = view.best {
            facts.append("best: <b data-testid=\"best\" data-value=\"\(HTML.number(best.metric))\">\(HTML.number(best.metric))</b> "
                         + "(<a href=\"\(HTML.escape(HTML.trialLink(experiment: view.name, number: best.number)))\">trial \(best.number)</a>)")
        }
        return html + "<p class=\"facts\">" + facts.joined(separator: " · ") + "</p>\n"
    }

    /// Finished trials whose mean paces the estimate of the time left: the latest, as a resumed run may differ.
    static let pacingTrials = 10

    /// While trials run: the trials to go times the mean seconds of the latest finished trials, over the trials running at once.
    func secondsLeft(maxTrials: Int) -> Double? {
        let running = view.trials.filter { $0.status == .running }.count
        let finished = view.trials.filter { $0.status.isFinal && !$0.reused && $0.endedAt != nil }
            .sorted { $0.endedAt! > $1.endedAt! }.prefix(Self.pacingTrials).compactMap(\.seconds)
        let left = maxTrials - view.trials.filter(\.isOver).count
        guard running > 0, !finished.isEmpty, left > 0 else { return nil }
        return finished.reduce(0, +) / Double(finished.count) * Double(left) / Double(running)
    }

    private func filterForm(problem: String?, shown: Int) -> String {
        var html = "<form class=\"filter\" method=\"get\" action=\"/experiment\" data-testid=\"filter-form\">"
            + query.hiddenFields(except: ["filter", "page"])
        html += "<input type=\"search\" name=\"filter\" data-testid=\"filter\" value=\"\(HTML.escape(query.filter))\" size=\"60\" "
            + "placeholder=\"status:SUCCEEDED metric&gt;0.85 lr&lt;0.01\"> <button type=\"submit\">filter</button>"
        if !query.filter.isEmpty { html += " <a href=\"\(HTML.escape(query.link { $0.filter = ""; $0.page = 1 }))\">clear</a>" }
        html += " <span class=\"muted\" data-testid=\"shown\">\(shown) of \(view.trials.count) trials</span></form>\n"
        if let problem { html += "<p class=\"note failed\" data-testid=\"filter-problem\">\(HTML.escape(problem))</p>\n" }
        return html
    }

    /// Trials on each slice plot at most: beyond, an evenly spaced selection by trial number.
    static let sliceLimit = 1000

    private func slices(_ trials: [TrialRecord], chartTrials: [ExperimentCharts.Trial], parameters: [String], metric: String) -> String {
        let finished = chartTrials.filter { $0.status == "SUCCEEDED" && ($0.metric?.isFinite ?? false) }
        let kept = finished.count > Self.sliceLimit
            ? stride(from: 0, to: finished.count, by: finished.count / Self.sliceLimit + 1).map { finished[$0] } : finished
        var html = "<section class=\"slices\" data-testid=\"slices\"><h2>\(HTML.escape(metric == "metric" ? "Metric" : metric)) against each parameter"
            + (kept.count < finished.count ? " <span class=\"muted\">(\(kept.count) of \(finished.count) trials, evenly spaced)</span>" : "") + "</h2>\n"
        for parameter in parameters {
            var values: [Int: String] = [:]
            for t in kept { if let v = view.flat[t.number]?[parameter] { values[t.number] = v.description } }
            html += "<figure class=\"chart small\" data-testid=\"slice\" data-parameter=\"\(HTML.escape(parameter))\">"
                + ExperimentCharts.slice(kept, parameter: parameter, values: values, metric: metric) + "</figure>\n"
        }
        return html + "</section>\n"
    }

    /// Trials equal in every parameter but the repeat parameter, as groups: each group's mean curve with
    /// the band of its trials, and its final results' mean and spread; and the form that picks the parameter.
    private func groups(_ trials: [TrialRecord], parameters: [String], metric: String) -> String {
        guard !parameters.isEmpty else { return "" }
        var html = "<section class=\"groups\" data-testid=\"groups\"><form class=\"axis\" method=\"get\" action=\"/experiment\" data-testid=\"group-form\">"
            + query.hiddenFields(except: ["group"])
        html += "<label>group repeats by <select name=\"group\" data-testid=\"group\"><option value=\"\">–</option>"
            + parameters.map { "<option\($0 == query.group ? " selected" : "")>\(HTML.escape($0))</option>" }.joined()
            + "</select></label> <button type=\"submit\">group</button></form>\n"
        guard parameters.contains(query.group) else { return html + "</section>\n" }
        var members: [String: [TrialRecord]] = [:]
        for t in trials where t.status == .succeeded || t.status == .running || t.status == .earlyStopped {
            let rest = (view.flat[t.number] ?? [:]).filter { $0.key != query.group }
            let label = rest.isEmpty ? "all" : rest.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.description)" }.joined(separator: " ")
            members[label, default: []].append(t)
        }
        let ordered = members.sorted { a, b in a.value.count != b.value.count ? a.value.count > b.value.count : a.key < b.key }
        if ordered.contains(where: { $0.value.contains { !$0.intermediates.isEmpty } }) {
            html += "<figure class=\"chart\" data-testid=\"group-curves\">" + ExperimentCharts.groups(
                ordered.map { ExperimentCharts.Group(label: $0.key, curves: $0.value.map(\.intermediates).filter { !$0.isEmpty }) },
                title: "intermediate results by group (mean, lowest to highest)", metric: "metric") + "</figure>\n"
        }
        html += "<table data-testid=\"group-table\"><thead><tr><th>group (all but \(HTML.escape(query.group)))</th><th>trials</th>"
            + "<th>mean \(HTML.escape(metric))</th><th>lowest</th><th>highest</th></tr></thead><tbody>\n"
        for (label, group) in ordered {
            let finals = group.compactMap(\.metric).filter(\.isFinite)
            let cells = finals.isEmpty ? ["–", "–", "–"]
                : [finals.reduce(0, +) / Double(finals.count), finals.min()!, finals.max()!].map { HTML.number($0) }
            html += "<tr data-group=\"\(HTML.escape(label))\"><td>\(HTML.escape(label))</td><td class=\"num\">\(group.count)</td>"
                + cells.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// The parallel coordinates' settings: which axes (dragging a name moves its axis), and the best share of trials.
    private func parallelForm(parameters: [String], shown: [String]) -> String {
        // The ticked `axis` boxes replace `axes`.
        var html = "<form class=\"axis\" method=\"get\" action=\"/experiment\" data-testid=\"parallel-form\">"
            + query.hiddenFields(except: ["axes", "top"])
        html += "<details><summary>axes</summary>" + (shown + parameters.filter { !shown.contains($0) }).map { p in
            "<label><input type=\"checkbox\" name=\"axis\" value=\"\(HTML.escape(p))\"\(shown.contains(p) ? " checked" : "")> \(HTML.escape(p))</label> "
        }.joined() + "</details> <label>best <select name=\"top\" data-testid=\"top\">"
            + [100, 50, 20, 10, 5].map { "<option value=\"\($0)\"\(query.top == $0 ? " selected" : "")>\($0 == 100 ? "all" : "\($0)%")</option>" }.joined()
            + "</select></label> <button type=\"submit\">draw</button> <span class=\"muted\">drag a name to move its axis</span></form>"
        return html
    }

    /// Trials on the contour chart at most: beyond, an evenly spaced selection.
    static let contourLimit = 2000

    /// The metric over two numeric parameters, with a form to choose them.
    private func contour(metrics: [Int: Double], values: [Int: [String: String]], importances: [ParameterImportance], metric: String) -> String {
        let numeric = importances.filter { !$0.isChoice }.map(\.parameter)
        guard numeric.count >= 2, metrics.count >= 3 else { return "" }
        let xName = numeric.contains(query.contourX) ? query.contourX : numeric[0]
        let yName = numeric.contains(query.contourY) && query.contourY != xName ? query.contourY : numeric.first { $0 != xName }!
        var points = metrics.keys.sorted().compactMap { n -> ExperimentCharts.ContourPoint? in
            guard let x = values[n]?[xName].flatMap(Double.init), let y = values[n]?[yName].flatMap(Double.init) else { return nil }
            return ExperimentCharts.ContourPoint(trial: n, x: x, y: y, metric: metrics[n]!)
        }
        if points.count > Self.contourLimit { points = stride(from: 0, to: points.count, by: points.count / Self.contourLimit + 1).map { points[$0] } }
        var form = "<form class=\"axis\" method=\"get\" action=\"/experiment\" data-testid=\"contour-form\">"
            + query.hiddenFields(except: ["cx", "cy"])
        for (field, chosen) in [("cx", xName), ("cy", yName)] {
            form += "<select name=\"\(field)\">" + numeric.map { "<option\($0 == chosen ? " selected" : "")>\(HTML.escape($0))</option>" }.joined() + "</select> "
        }
        form += "<button type=\"submit\">contour</button></form>"
        return "<figure class=\"chart\" data-testid=\"contour\" data-x=\"\(HTML.escape(xName))\" data-y=\"\(HTML.escape(yName))\">" + form
            + ExperimentCharts.contour(points, xName: xName, yName: yName, metric: metric, maximize: view.maximize) + "</figure>\n"
    }

    /// Which parameters go with the metric, and how the results are spread.
    private func distributions(_ trials: [TrialRecord], parameters: [String], metric: String) -> String {
        var metrics: [Int: Double] = [:]
        for t in trials where t.status == .succeeded { if let m = t.metric, m.isFinite { metrics[t.number] = m } }
        guard !metrics.isEmpty else { return "" }
        var html = ""
        let values = metrics.keys.reduce(into: [Int: [String: String]]()) { result, n in
            result[n] = (view.flat[n] ?? [:]).mapValues(\.description)
        }
        let importances = ParameterImportance.of(metrics: metrics, values: values, parameters: parameters)
        if !importances.isEmpty {
            html += "<figure class=\"chart\" data-testid=\"importance\">"
                + ExperimentCharts.importance(importances, title: "parameters against \(metric == "metric" ? "the metric" : metric) (\(metrics.count) trials)") + "</figure>\n"
        }
        html += contour(metrics: metrics, values: values, importances: importances, metric: metric)
        let series = ExperimentCharts.Series(name: view.name, metrics: trials.map { $0.status == .succeeded ? $0.metric : nil })
        html += "<figure class=\"chart\" data-testid=\"distribution\">"
            + ExperimentCharts.distribution([series], title: "distribution of results", metric: metric) + "</figure>\n"
        return html
    }

    /// The chart settings: which reported key, a log scale, a zoomed range (also set by dragging on a chart).
    private func axisForm(keys: [String]) -> String {
        // The unticked log box sends nothing: `logy` is the form's own.
        var html = "<form class=\"axis\" method=\"get\" action=\"/experiment\" data-testid=\"axis-form\">"
            + query.hiddenFields(except: ["key", "logy", "y"])
        if !keys.isEmpty {
            html += "<label>chart <select name=\"key\" data-testid=\"metric-key\"><option value=\"\">metric</option>"
                + keys.map { "<option\(query.key == $0 ? " selected" : "")>\(HTML.escape($0))</option>" }.joined() + "</select></label> "
        }
        html += "<label><input type=\"checkbox\" name=\"logy\" value=\"1\"\(query.logY ? " checked" : "") data-testid=\"logy\"> log scale</label> "
            + "<label>range <input type=\"text\" name=\"y\" size=\"12\" value=\"\(HTML.escape(query.yRange))\" placeholder=\"0.8:0.95\" data-testid=\"y-range\"></label> "
            + "<button type=\"submit\">draw</button>"
        if !query.yRange.isEmpty { html += " <a href=\"\(HTML.escape(query.link { $0.yRange = "" }))\" data-testid=\"unzoom\">whole range</a>" }
        if !query.yRange.isEmpty && ValueAxis.range(query.yRange) == nil {
            html += " <span class=\"error\" data-testid=\"range-problem\">'\(HTML.escape(query.yRange))' is no range: write LOW:HIGH</span>"
        }
        return html + " <span class=\"muted\">drag up or down on a chart to zoom</span></form>\n"
    }

    private func charts(_ trials: [TrialRecord], parameters: [String]) -> String {
        guard !trials.isEmpty else { return "<p class=\"muted\" data-testid=\"no-trials\">No trial to draw.</p>\n" }
        let reported = MetricKeys(trials)
        let key = query.key.flatMap { reported.keys.contains($0) ? $0 : nil }
        // The parallel coordinates keep the metric: their metric axis brushes the filter, which knows the metric.
        let original = trials
        let trials = key.map { reported.trials(trials, drawing: $0) } ?? trials
        let chartTrials = view.chartTrials(trials)
        let metric = key ?? "metric"
        var html = axisForm(keys: reported.keys)
        if let asked = query.key, key == nil {
            html += "<p class=\"note failed\" data-testid=\"key-problem\">No trial reported '\(HTML.escape(asked))'"
                + (reported.keys.isEmpty ? "" : " (keys: \(HTML.escape(reported.keys.joined(separator: ", "))))") + ": the charts draw the metric.</p>\n"
        }
        html += "<section class=\"charts\">\n"
        html += "<figure class=\"chart\" data-testid=\"history\">" + ExperimentCharts.history(chartTrials, title: "\(metric) per trial",
                                                                                               metric: metric, maximize: view.maximize,
                                                                                               axis: query.axis) + "</figure>\n"
        if trials.contains(where: { !$0.intermediates.isEmpty }) {
            html += "<figure class=\"chart\" data-testid=\"curves\">" + ExperimentCharts.curves(chartTrials, title: "intermediate results",
                                                                                                metric: "metric", maximize: view.maximize,
                                                                                                axis: query.axis) + "</figure>\n"
        }
        if !parameters.isEmpty {
            let finished = original.filter { $0.status == .succeeded && ($0.metric?.isFinite ?? false) }
            let share = Swift.min(Swift.max(query.top, 1), 100)
            let wanted = Swift.min(Self.parallelLimit, Swift.max(1, (finished.count * share + 99) / 100))
            let kept = finished.sorted { view.maximize ? $0.metric! > $1.metric! : $0.metric! < $1.metric! }.prefix(wanted)
            let axes = query.axes.map { $0.filter(parameters.contains) }.flatMap { $0.isEmpty ? nil : $0 } ?? parameters
            let reportTrials = kept.sorted { $0.number < $1.number }.map { t in
                ReportModel.Trial(number: t.number, label: nil, parameter: nil, parameters: (view.flat[t.number] ?? [:]).mapValues(\.description),
                                  status: t.status.rawValue, metric: t.metric, intermediates: [], seconds: t.seconds, reused: t.reused)
            }
            let title = finished.count > kept.count ? "parameters (best \(kept.count) of \(finished.count))" : "parameters"
            html += "<figure class=\"chart\" data-testid=\"parallel\">" + parallelForm(parameters: parameters, shown: axes)
                + ReportCharts.parallelCoordinates(reportTrials, parameters: axes, title: title, metric: "metric", movableAxes: true) + "</figure>\n"
        }
        if !parameters.isEmpty {
            html += slices(trials, chartTrials: chartTrials, parameters: parameters, metric: metric)
        }
        html += distributions(trials, parameters: parameters, metric: metric)
        html += groups(trials, parameters: parameters, metric: metric)
        if trials.contains(where: { $0.startedAt != nil }) {
            html += "<figure class=\"chart\" data-testid=\"timeline\">" + ExperimentCharts.timeline(chartTrials, title: "timeline",
                                                                                                    now: view.elapsed(at: now)) + "</figure>\n"
        }
        return html + "</section>\n"
    }
}
