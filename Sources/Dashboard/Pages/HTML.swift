import Foundation
import Report
import Stages

/// HTML text: escaping, the page frame every page shares, and the small pieces pages repeat.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A query string from pairs, values percent-encoded; pairs with an empty value are left out.
    static func query(_ pairs: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let kept = pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)" }
        return kept.isEmpty ? "" : "?" + kept.joined(separator: "&")
    }

    /// The link to an experiment's page.
    static func experimentLink(_ name: String, extra: [(String, String)] = []) -> String {
        "/experiment" + query([("name", name)] + extra)
    }

    /// The link to a trial's page.
    static func trialLink(experiment: String, number: Int) -> String {
        "/trial" + query([("experiment", experiment), ("number", String(number))])
    }

    /// A metric as `labmake trials --json` writes it, so that the page and the export agree digit for digit.
    static func number(_ value: Double?) -> String {
        value.map(TrialExport.number) ?? "–"
    }

    /// A difference with its sign, as the charts write numbers: `+0.012`, `-0.3`.
    static func signed(_ value: Double) -> String {
        (value > 0 ? "+" : "") + ExperimentCharts.label(value)
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value < 60 { return String(format: "%.1f s", value) }
        if value < 3600 { return String(format: "%d min %02d s", Int(value) / 60, Int(value) % 60) }
        return String(format: "%d h %02d min", Int(value) / 3600, Int(value) % 3600 / 60)
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "–" }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: date)
    }

    /// A status as a coloured badge.
    static func badge(_ status: String) -> String {
        "<span class=\"badge s-\(escape(status.lowercased()))\" data-status=\"\(escape(status))\">\(escape(status.lowercased().replacingOccurrences(of: "_", with: " ")))</span>"
    }

    /// `html` with every link, source and form target on this server (`href="/…"`, `src="/…"`, `action="/…"`)
    /// put under `prefix`.
    static func prefixingLinks(_ html: String, with prefix: String) -> String {
        var out = html
        for attribute in ["href", "src", "action"] {
            out = out.replacingOccurrences(of: attribute + "=\"/", with: attribute + "=\"" + prefix + "/")
        }
        return out.replacingOccurrences(of: prefix + "//", with: "//")
    }

    /// The whole document: the header (workspace, live indicator, pause) around `body`, which is also
    /// what a live refresh (`X-Fragment: live`) fetches alone.
    static func document(title: String, workspace: String, version: String, body: String, prefix: String = "") -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · labmake</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/assets/dashboard.css">
        <script src="/assets/dashboard.js" defer></script>
        </head>
        <body>
        <header><a class="home" href="/">labmake</a><span class="workspace" title="the workspace">\(escape(workspace))</span>\
        <span class="spacer"></span><span id="live" data-testid="live" data-state="connecting">connecting…</span>\
        <label class="pause"><input type="checkbox" id="pause" data-testid="pause"> pause</label></header>
        <main data-live data-version="\(escape(version))" data-prefix="\(escape(prefix))">
        \(body)
        </main>
        </body>
        </html>

        """
    }
}
