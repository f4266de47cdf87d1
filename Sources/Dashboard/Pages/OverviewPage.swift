import Foundation
import Pipeline
import Report
import Tuner

/// `/`: the pipeline as a diagram with each stage's status and staleness reasons (the words of
/// `labmake status`), then every experiment and sweep with its status, trial counts, best value and budget.
struct OverviewPage {
    let reader: WorkspaceReader
    let pipeline: PipelineState?

    func body() throws -> String {
        var html = "<h1>Workspace</h1>\n"
        if let pid = pipeline?.runningPid {
            html += "<p class=\"note running\" data-testid=\"run-in-progress\">A <code>labmake run</code> is in progress (pid \(pid)).</p>\n"
        }
        html += try pipelineSection()
        html += try experimentsSection()
        return html
    }

    private func pipelineSection() throws -> String {
        guard let pipeline else {
            return "<section><h2>Pipeline</h2><p class=\"muted\">No pipeline file: only the workspace's experiments are shown.</p></section>\n"
        }
        var html = "<section data-testid=\"pipeline\"><h2>Pipeline <span class=\"muted\">\(HTML.escape(pipeline.file))</span></h2>\n"
        if let problem = pipeline.problem {
            html += "<p class=\"note failed\" data-testid=\"pipeline-problem\">\(HTML.escape(problem))</p>\n"
        }
        guard !pipeline.stages.isEmpty else { return html + "</section>\n" }
        let experiments = try reader.experiments().map(\.name)
        let nodes = pipeline.stages.map { stage in
            PipelineDiagram.Node(name: stage.name, status: stage.status, caption: caption(stage),
                                 detail: stage.reasons.joined(separator: "; "),
                                 link: stage.kind == "report" ? "/report/\(stage.name)/"
                                     : experiments.first { $0.hasPrefix(stage.name + "#") }.map { HTML.experimentLink($0) }
                                     ?? "/stage" + HTML.query([("name", stage.name)]))
        }
        html += "<div class=\"chart dag\" data-testid=\"dag\">" + PipelineDiagram.svg(nodes, upstream: pipeline.stages.map(\.upstream)) + "</div>\n"
        let records = try reader.stageRecords()
        html += "<table data-testid=\"stages\"><thead><tr><th>stage</th><th>kind</th><th>status</th><th>why</th><th>last run</th><th>took</th></tr></thead><tbody>\n"
        for stage in pipeline.stages {
            let record = records[stage.name]
            var name = "<a href=\"/stage?name=\(HTML.escape(stage.name))\">\(HTML.escape(stage.name))</a>"
            if stage.kind == "report" { name += " (<a href=\"/report/\(HTML.escape(stage.name))/\" data-testid=\"report-link\">report</a>)" }
            html += "<tr data-stage=\"\(HTML.escape(stage.name))\"><td>\(name)</td><td>\(HTML.escape(stage.kind))</td>"
                + "<td>\(HTML.badge(stage.status))</td><td class=\"reasons\">\(HTML.escape(stage.reasons.joined(separator: "; ")))</td>"
                + "<td>\(HTML.time(record.map { Date(timeIntervalSince1970: $0.startedAt) }))</td><td>\(HTML.seconds(record?.seconds))</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    private func caption(_ stage: PipelineState.Stage) -> String {
        switch stage.status {
        case "up-to-date": "\(stage.kind) · up to date"
        default: "\(stage.kind) · \(stage.status)"
        }
    }

    private func experimentsSection() throws -> String {
        let experiments = try reader.experiments()
        var html = "<section data-testid=\"experiments\"><h2>Experiments</h2>\n"
        guard !experiments.isEmpty else {
            return html + "<p class=\"muted\" data-testid=\"no-experiments\">No experiment yet: a sweep or tune stage, "
                + "<code>labmake tune</code> or <code>labmake trials import</code> adds one.</p></section>\n"
        }
        html += "<form method=\"get\" action=\"/compare\" data-testid=\"compare-experiments-form\">"
        html += "<table><thead><tr><th><button type=\"submit\" title=\"overlay the ticked experiments\">compare</button></th><th>experiment</th><th>status</th><th>trials</th><th>succeeded</th><th>failed</th>"
            + "<th>stopped early</th><th>running</th><th>best</th><th>last update</th></tr></thead><tbody>\n"
        for summary in experiments {
            let trials = try reader.trials(experiment: summary.name)
            let stage = pipeline?.stage(ofExperiment: summary.name)
            let count = { (status: TrialStatus) in summary.statuses[status.rawValue] ?? 0 }
            let total = summary.statuses.values.reduce(0, +)
            let live = count(.running) + count(.waiting) > 0
            let budget = stage?.maxTrials.map { " of \($0)" } ?? ""
            let best = ExperimentView.best(of: trials, stage: stage).map { "<span data-testid=\"best\" data-value=\"\(HTML.number($0.metric))\">\(HTML.number($0.metric))</span> "
                + "<a href=\"\(HTML.escape(HTML.trialLink(experiment: summary.name, number: $0.number)))\">#\($0.number)</a>" } ?? "–"
            html += "<tr data-experiment=\"\(HTML.escape(summary.name))\"><td><input type=\"checkbox\" name=\"e\" value=\"\(HTML.escape(summary.name))\"></td><td><a href=\"\(HTML.escape(HTML.experimentLink(summary.name)))\">"
                + "\(HTML.escape(summary.name))</a></td><td>\(HTML.badge(live ? "RUNNING" : "DONE"))</td>"
                + "<td data-testid=\"trial-count\">\(total)\(budget)</td><td>\(count(.succeeded))</td><td>\(count(.failed))</td>"
                + "<td>\(count(.earlyStopped))</td><td>\(count(.running) + count(.waiting))</td><td>\(best)</td>"
                + "<td>\(HTML.time(Date(timeIntervalSince1970: summary.savedAt)))</td></tr>\n"
        }
        return html + "</tbody></table></form></section>\n"
    }
}
