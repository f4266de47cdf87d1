import Foundation
import Ink
import Report

/// `/report/STAGE/`: a report stage's Markdown rendered with its charts (which the page's relative links
/// find at `/report/STAGE/NAME.svg`), the pipeline's diagram in place of its Mermaid block, and a banner
/// when the stage is stale, so that what the report says is never taken for what the workspace holds now.
struct ReportPage {
    let root: String
    let pipeline: PipelineState
    let stage: PipelineState.Stage
    /// The Markdown file to show; nil for the first (`REPORT.md`).
    let file: String?
    /// The lab's notes file, when the stage names one.
    var notes: NotesFile? = nil
    /// `--control`'s token: the notes can be edited; nil: they are shown only.
    var token: String? = nil

    /// The folder the stage writes its report into.
    static func folder(root: String, stage: PipelineState.Stage) -> String {
        root + "/" + (stage.outs.first ?? stage.name)
    }

    /// The report's files that a page may fetch: Markdown and images, by plain name.
    static func servable(_ name: String) -> Bool {
        !name.contains("/") && !name.hasPrefix(".") && [".md", ".svg", ".png"].contains { name.hasSuffix($0) }
    }

    /// The notes as they are now (the report shows them as of its last run), with an editor under `--control`.
    private func notesSection() -> String {
        guard let notes else {
            return "<p class=\"muted\" data-testid=\"no-notes\">To keep notes that flow into the report, name a file in the stage's options: "
                + "<code>with: {notes: notes.md}</code>.</p>\n"
        }
        let text = notes.text()
        var html = "<details class=\"notes\" data-testid=\"notes\"\(text.isEmpty ? "" : " open")><summary>Notes <span class=\"muted\">"
            + "\(HTML.escape(notes.name)), as they are now</span></summary>\n"
        html += text.isEmpty ? "<p class=\"muted\">No notes yet.</p>\n" : "<div data-testid=\"notes-text\">" + MarkdownParser().html(from: text) + "</div>\n"
        if let token {
            html += "<form method=\"post\" action=\"/notes\" data-testid=\"notes-form\">"
                + [("token", token), ("stage", notes.stage), ("base", NotesFile.fingerprint(text)), ("return", "/report/\(stage.name)/")]
                    .map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\(HTML.escape($0.1))\">" }.joined()
                + "<textarea name=\"text\" rows=\"8\" cols=\"90\" data-testid=\"notes-editor\">\(HTML.escape(text))</textarea><br>"
                + "<button type=\"submit\">save the notes</button> <span class=\"muted\">the report is stale until the next run</span></form>\n"
        }
        return html + "</details>\n"
    }

    func body() -> String {
        let folder = Self.folder(root: root, stage: stage)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".md") }
            .sorted { ($0 == "REPORT.md" ? "" : $0) < ($1 == "REPORT.md" ? "" : $1) }
        var html = "<nav class=\"crumbs\"><a href=\"/\">workspace</a> › report</nav>\n"
        if stage.status != "up-to-date" {
            html += "<p class=\"note failed\" data-testid=\"report-stale\">This report is \(HTML.escape(stage.status)): "
                + "\(HTML.escape(stage.reasons.joined(separator: "; "))). It shows the last run of <code>\(HTML.escape(stage.name))</code>; "
                + "<code>labmake run</code> brings it up to date.</p>\n"
        }
        html += notesSection()
        guard let shown = file.flatMap({ files.contains($0) ? $0 : nil }) ?? files.first,
              let markdown = try? String(contentsOfFile: folder + "/" + shown, encoding: .utf8) else {
            return html + "<p class=\"muted\" data-testid=\"no-report\">The stage <code>\(HTML.escape(stage.name))</code> has not written its report yet.</p>\n"
        }
        if files.count > 1 {
            html += "<p class=\"languages\">" + files.map { name in
                name == shown ? "<b>\(HTML.escape(name))</b>" : "<a href=\"?file=\(HTML.escape(name))\">\(HTML.escape(name))</a>"
            }.joined(separator: " · ") + "</p>\n"
        }
        var rendered = MarkdownParser().html(from: markdown)
        // The report's Mermaid block becomes the diagram the overview draws.
        if let start = rendered.range(of: "<pre><code class=\"language-mermaid\">"),
           let end = rendered.range(of: "</code></pre>", range: start.upperBound..<rendered.endIndex) {
            let nodes = pipeline.stages.map { PipelineDiagram.Node(name: $0.name, status: $0.status, caption: $0.kind) }
            rendered.replaceSubrange(start.lowerBound..<end.upperBound,
                                     with: "<div class=\"chart dag\">" + PipelineDiagram.svg(nodes, upstream: pipeline.stages.map(\.upstream)) + "</div>")
        }
        return html + "<article class=\"report\" data-testid=\"report\" data-file=\"\(HTML.escape(shown))\">\n" + rendered + "\n</article>\n"
    }
}
