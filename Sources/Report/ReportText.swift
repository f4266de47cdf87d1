import Foundation

/// Numbers as people read them in the report, the same on every machine (no locale).
public enum ReportText {
    /// 0.9312 → "93.12%".
    public static func percent(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%.2f%%", x * 100)
    }

    /// A trial's result: its final accuracy, or for a trial stopped early its last intermediate one and
    /// the epoch it stopped at: "61.40% (epoch 3)".
    public static func result(_ trial: ReportModel.Trial) -> String {
        if trial.metric == nil, trial.status == "EARLY_STOPPED", let last = trial.intermediates.last {
            return percent(last) + " (epoch \(trial.intermediates.count))"
        }
        return percent(trial.metric)
    }

    /// A difference of two accuracies in percentage points: "+1.23 pp".
    public static func points(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "–" }
        return String(format: "%+.2f pp", x * 100)
    }

    /// Seconds: "0.42 s", "12.3 s", "2 min 05 s", "1 h 02 min".
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "–" }
        if seconds < 10 { return String(format: "%.2f s", seconds) }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let whole = Int(seconds.rounded())
        return whole < 3600 ? String(format: "%d min %02d s", whole / 60, whole % 60)
            : String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
    }

    /// Bytes in GiB: "15.6 GiB".
    public static func gibibytes(_ bytes: Int64) -> String { String(format: "%.1f GiB", Double(bytes) / 1_073_741_824) }

    /// A parameter value as written: up to 6 significant digits, no trailing zeros.
    public static func value(_ text: String) -> String {
        guard let x = Double(text), text.contains(".") || text.contains("e") else { return text }
        var s = String(format: "%.6g", x)
        if s.contains("e") { return s }
        if s.contains(".") { while s.hasSuffix("0") { s.removeLast() }; if s.hasSuffix(".") { s.removeLast() } }
        return s
    }

    /// Parameters as `name=value, …`, sorted by name.
    public static func parameters(_ values: [String: String], except: Set<String> = []) -> String {
        values.keys.sorted().filter { !except.contains($0) }.map { "\($0)=\(value(values[$0]!))" }.joined(separator: ", ")
    }

    /// Text safe inside a Markdown table cell.
    public static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}
