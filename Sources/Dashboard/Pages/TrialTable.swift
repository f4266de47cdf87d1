import Foundation
import Tuner

/// The trial table of an experiment page: sorted on the server (trials without a value last whatever
/// the order), a page of ``ExperimentPage/pageSize`` rows, parameter columns chosen in the URL, and
/// the export links of the filtered trials.
struct TrialTable {
    let view: ExperimentView
    let query: ExperimentPage.Query
    let trials: [TrialRecord]
    let parameters: [String]
    /// The kill buttons of `--control`; nil without it.
    var control: ControlPanel? = nil

    var columns: [String] { query.columns?.filter(parameters.contains) ?? Array(parameters.prefix(8)) }

    /// The trials in the table's order.
    func sorted() -> [TrialRecord] {
        let key: (TrialRecord) -> Double?
        switch query.sort {
        case "metric": key = { $0.metric.flatMap { $0.isFinite ? $0 : nil } }
        case "seconds": key = { $0.seconds }
        case "steps": key = { Double($0.intermediates.count) }
        case "status": key = { Double(TrialStatus.allCases.firstIndex(of: $0.status) ?? 0) }
        case let sort where sort.hasPrefix("param:"):
            let name = String(sort.dropFirst(6))
            key = { (view.flat[$0.number] ?? [:])[name]?.number }
            if trials.contains(where: { (view.flat[$0.number] ?? [:])[name] != nil && (view.flat[$0.number] ?? [:])[name]?.number == nil }) {
                let text = { (t: TrialRecord) in (view.flat[t.number] ?? [:])[name]?.description }
                return trials.sorted { a, b in
                    switch (text(a), text(b)) {
                    case let (x?, y?): return x == y ? a.number < b.number : (query.descending ? x > y : x < y)
                    case (nil, _?): return false
                    case (_?, nil): return true
                    default: return a.number < b.number
                    }
                }
            }
        default: key = { Double($0.number) }
        }
        return trials.sorted { a, b in
            switch (key(a), key(b)) {
            case let (x?, y?): return x == y ? a.number < b.number : (query.descending ? x > y : x < y)
            case (nil, _?): return false
            case (_?, nil): return true
            default: return a.number < b.number
            }
        }
    }

    func html() -> String {
        let rows = sorted()
        let pages = Swift.max(1, (rows.count + ExperimentPage.pageSize - 1) / ExperimentPage.pageSize)
        let page = Swift.min(Swift.max(query.page, 1), pages)
        let slice = rows.dropFirst((page - 1) * ExperimentPage.pageSize).prefix(ExperimentPage.pageSize)
        var html = "<section data-testid=\"trials\"><h2>Trials</h2>\n"
        html += exportLinks() + columnChooser()
        html += "<form method=\"get\" action=\"/compare\" data-testid=\"compare-form\">"
        html += "<table class=\"trials\" data-testid=\"trial-table\"><thead><tr><th><button type=\"submit\" title=\"compare the ticked trials\">compare</button></th>"
        html += header("trial", "trial") + header("status", "status") + header("metric", "metric")
        html += columns.map { header($0, "param:" + $0) }.joined()
        html += header("steps", "steps") + header("seconds", "seconds") + "<th>note</th></tr></thead><tbody>\n"
        for t in slice {
            let values = (view.flat[t.number] ?? [:])
            html += "<tr data-trial=\"\(t.number)\"><td><input type=\"checkbox\" name=\"t\" value=\"\(HTML.escape(view.name)):\(t.number)\"></td><td><a href=\"\(HTML.escape(HTML.trialLink(experiment: view.name, number: t.number)))\">\(t.number)</a></td>"
            html += "<td>\(HTML.badge(t.status.rawValue))</td><td class=\"num\" data-value=\"\(HTML.number(t.metric))\">\(HTML.number(t.metric))</td>"
            html += columns.map { "<td>\(HTML.escape(values[$0]?.description ?? "–"))</td>" }.joined()
            html += "<td class=\"num\">\(t.intermediates.count)</td><td class=\"num\">\(HTML.seconds(t.seconds))</td><td class=\"note-cell\">\(note(t))"
                + (control?.button(for: t, inTable: true) ?? "") + "</td></tr>\n"
        }
        html += "</tbody></table></form>\n"
        if pages > 1 {
            html += "<nav class=\"pages\" data-testid=\"pages\">page \(page) of \(pages): "
            let numbers = Set([1, page - 1, page, page + 1, pages].filter { $0 >= 1 && $0 <= pages }).sorted()
            html += numbers.map { n in n == page ? "<b>\(n)</b>" : "<a href=\"\(HTML.escape(query.link { $0.page = n }))\">\(n)</a>" }
                .joined(separator: " ")
            html += "</nav>\n"
        }
        return html + "</section>\n"
    }

    private func note(_ t: TrialRecord) -> String {
        var parts: [String] = []
        if t.reused { parts.append("<span class=\"tag\">reused</span>") }
        if let placement = t.placement { parts.append(HTML.escape("job \(placement.job) \(placement.state)" + (placement.node.isEmpty ? "" : " on \(placement.node)"))) }
        if let error = t.error { parts.append("<span class=\"error\" title=\"\(HTML.escape(error))\">\(HTML.escape(String(error.prefix(80))))</span>") }
        return parts.joined(separator: " ")
    }

    private func header(_ title: String, _ sort: String) -> String {
        let active = query.sort == sort
        let link = query.link { $0.sort = sort; $0.descending = active ? !query.descending : (sort == "metric" && view.maximize); $0.page = 1 }
        let arrow = active ? (query.descending ? " ▼" : " ▲") : ""
        return "<th><a href=\"\(HTML.escape(link))\" data-sort=\"\(HTML.escape(sort))\">\(HTML.escape(title))\(arrow)</a></th>"
    }

    private func exportLinks() -> String {
        let filter = query.filter.isEmpty ? [] : [("filter", query.filter)]
        let json = "/export.json" + HTML.query([("name", view.name)] + filter)
        let csv = "/export.csv" + HTML.query([("name", view.name)] + filter)
        return "<p class=\"exports\">export \(query.filter.isEmpty ? "all" : "these") trials as <a href=\"\(HTML.escape(json))\" "
            + "data-testid=\"export-json\" download>JSON</a> or <a href=\"\(HTML.escape(csv))\" data-testid=\"export-csv\" download>CSV</a> "
            + "(the bytes of <code>labmake trials \(HTML.escape(view.name)) --json</code>)</p>\n"
    }

    private func columnChooser() -> String {
        guard !parameters.isEmpty else { return "" }
        var html = "<details class=\"columns\"><summary>columns</summary><form method=\"get\" action=\"/experiment\" data-testid=\"columns-form\">"
        // `cols=-` with the ticked `col` boxes: no box ticked still means no parameter column.
        html += query.hiddenFields(except: ["cols", "page"]) + "<input type=\"hidden\" name=\"cols\" value=\"-\">"
        for p in parameters {
            html += "<label><input type=\"checkbox\" name=\"col\" value=\"\(HTML.escape(p))\"\(columns.contains(p) ? " checked" : "")> \(HTML.escape(p))</label> "
        }
        return html + "<button type=\"submit\">show</button></form></details>\n"
    }
}
