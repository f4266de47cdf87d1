import Foundation
import NNI
import Report
import Tuner

/// `/trial?experiment=E&number=N`: a trial's parameters (with the `labmake train` line that reruns
/// them), results, curve, where it ran, where it was reused from, and the tail of its logs.
struct TrialPage {
    let reader: WorkspaceReader
    let view: ExperimentView
    let trial: TrialRecord
    /// The trial this one's result was taken from (same key, another experiment or an earlier number).
    let source: (experiment: String, number: Int)?
    /// The kill and rerun buttons of `--control`; nil without it.
    var control: ControlPanel? = nil

    func body() -> String {
        let t = trial
        var html = "<nav class=\"crumbs\"><a href=\"/\">workspace</a> › <a href=\"\(HTML.escape(HTML.experimentLink(view.name)))\">"
            + "\(HTML.escape(view.name))</a> › trial</nav>\n"
        html += "<h1>Trial \(t.number) \(HTML.badge(t.status.rawValue))</h1>\n"
        if let control {
            let button = control.button(for: t, inTable: false)
            if !button.isEmpty { html += "<div class=\"control\" data-testid=\"control\">" + control.killForm() + button + "</div>\n" }
            html += control.addForm(prefilled: t)
            html += control.noteForm(subject: "\(view.name) trial \(t.number)")
        }
        if t.reused {
            let from = source.map { "<a data-testid=\"reused-from\" href=\"\(HTML.escape(HTML.trialLink(experiment: $0.experiment, number: $0.number)))\">"
                + "\(HTML.escape($0.experiment)) #\($0.number)</a>" } ?? "an earlier trial with the same key"
            html += "<p class=\"note\" data-testid=\"reused\">Reused: its result was taken from \(from), which ran the same configuration.</p>\n"
        }
        var facts: [(String, String)] = [
            ("metric", "<b data-testid=\"metric\" data-value=\"\(HTML.number(t.metric))\">\(HTML.number(t.metric))</b>"),
            ("trial id", HTML.escape(t.jobID)),
            ("started", HTML.time(t.startedAt)), ("ended", HTML.time(t.endedAt)), ("took", HTML.seconds(t.seconds)),
            ("intermediate results", "\(t.intermediates.count)" + (t.droppedIntermediates.map { " (\($0) more not kept)" } ?? "")),
            ("key", "<code>\(HTML.escape(t.key))</code>"),
        ]
        if let details = t.metricDetails { facts.insert(("reported", "<code>\(HTML.escape(details))</code>"), at: 1) }
        if let p = t.placement { facts.append(("ran as", HTML.escape("Slurm job \(p.job), \(p.state)" + (p.node.isEmpty ? "" : " on \(p.node)")))) }
        if let error = t.error { facts.append(("error", "<span class=\"error\" data-testid=\"error\">\(HTML.escape(error))</span>")) }
        html += "<table class=\"facts\">" + facts.map { "<tr><th>\($0.0)</th><td>\($0.1)</td></tr>" }.joined() + "</table>\n"
        html += "<h2>Parameters</h2>\n<table class=\"params\" data-testid=\"parameters\">"
        for (name, value) in t.configuration.values.sorted(by: { $0.key < $1.key }) {
            html += "<tr data-parameter=\"\(HTML.escape(name))\"><th>\(HTML.escape(name))</th><td>\(HTML.escape(value.description))</td></tr>"
        }
        html += "</table>\n"
        let sets = t.configuration.values.sorted(by: { $0.key < $1.key }).map { "--set \($0.key)=\($0.value.description)" }.joined(separator: " ")
        html += "<p>As JSON: <code id=\"parameters-json\" data-testid=\"parameters-json\">\(HTML.escape(t.configuration.json))</code> "
            + "<button type=\"button\" data-copy=\"parameters-json\" data-testid=\"copy-json\">copy</button></p>\n"
        if let stage = view.stage, !stage.commandTrials {
            html += "<p>Train it alone: <code id=\"train-line\" data-testid=\"train-line\">\(HTML.escape("labmake train " + sets))</code> "
                + "<button type=\"button\" data-copy=\"train-line\" data-testid=\"copy-train\">copy</button></p>\n"
        }
        if !t.intermediates.isEmpty {
            html += "<figure class=\"chart\" data-testid=\"trial-curve\">"
                + ExperimentCharts.curves(view.chartTrials([t]), title: "intermediate results", metric: "metric", maximize: view.maximize)
                + "</figure>\n"
        }
        html += logs()
        return html
    }

    private func logs() -> String {
        guard let folder = reader.trialFolder(experiment: view.name, number: trial.number) else {
            return "<h2>Logs</h2><p class=\"muted\">No files kept for this trial (built-in training trials report through the database).</p>\n"
        }
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0 == "trial.stdout" || $0 == NNITrialProtocol.logFile || $0.hasSuffix(".out") || $0.hasSuffix(".err") || $0 == "stderr" }
            .sorted()
        var html = "<h2>Logs <span class=\"muted\">\(HTML.escape(folder))</span></h2>\n"
        guard !names.isEmpty else { return html + "<p class=\"muted\">The trial has written no log yet.</p>\n" }
        for name in names {
            let text = WorkspaceReader.tail(folder + "/" + name, lines: 200) ?? ""
            html += "<h3>\(HTML.escape(name))</h3><pre class=\"log\" data-log=\"\(HTML.escape(name))\">\(HTML.escape(text))</pre>\n"
        }
        return html
    }
}
