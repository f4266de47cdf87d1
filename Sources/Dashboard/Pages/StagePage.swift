import Foundation
import Pipeline

/// `/stage?name=S`: one stage — its status and why (`labmake status`'s words), its last run (when, how
/// long, its key, the content hash of each dependency and output), and the tail of its log (`labmake log S`).
struct StagePage {
    let reader: WorkspaceReader
    let stage: PipelineState.Stage
    let record: StageRecord?

    func body() -> String {
        var html = "<nav class=\"crumbs\"><a href=\"/\">workspace</a> › stage</nav>\n"
        html += "<h1 data-testid=\"stage-name\">\(HTML.escape(stage.name)) \(HTML.badge(stage.status))</h1>\n"
        html += "<p class=\"facts\">kind: \(HTML.escape(stage.kind))"
        if !stage.reasons.isEmpty { html += " · <span data-testid=\"stage-reasons\">\(HTML.escape(stage.reasons.joined(separator: "; ")))</span>" }
        html += "</p>\n"
        if let record {
            html += "<h2>Last run</h2>\n<table class=\"facts\" data-testid=\"stage-record\">"
                + "<tr><th>started</th><td>\(HTML.time(Date(timeIntervalSince1970: record.startedAt)))</td></tr>"
                + "<tr><th>took</th><td>\(HTML.seconds(record.seconds))</td></tr>"
                + "<tr><th>key</th><td><code>\(HTML.escape(record.key))</code></td></tr></table>\n"
            for (title, map) in [("Dependencies", record.deps), ("Inputs from other stages", record.inputs), ("Outputs", record.outputs)]
            where !map.entries.isEmpty {
                html += "<h3>\(title)</h3><table class=\"hashes\">" + map.entries.map { entry in
                    "<tr data-path=\"\(HTML.escape(entry.path))\"><td><code>\(HTML.escape(entry.path))</code></td>"
                        + "<td><code class=\"muted\">\(HTML.escape(entry.id.map { String($0.description.prefix(23)) } ?? "–"))</code></td></tr>"
                }.joined() + "</table>\n"
            }
        } else {
            html += "<p class=\"muted\">The stage has not run to the end in this workspace.</p>\n"
        }
        if let definition = stage.definition {
            html += "<h2>Definition <span class=\"muted\">\(HTML.escape(stage.location ?? "")), resolved</span></h2>"
                + "<pre class=\"config\" data-testid=\"definition\">\(ConfigText.html(definition))</pre>\n"
        }
        if let space = stage.searchSpace {
            html += "<h2>Search space <span class=\"muted\">\(HTML.escape(space.source))</span></h2>"
                + "<pre class=\"config\" data-testid=\"search-space\">\(HTML.escape(space.text))</pre>\n"
        }
        if let log = reader.stageLog(stage.name) {
            html += "<h2>Log <span class=\"muted\">labmake log \(HTML.escape(stage.name))</span></h2><pre class=\"log\" data-log=\"stage\">\(HTML.escape(log))</pre>\n"
        }
        return html
    }
}
