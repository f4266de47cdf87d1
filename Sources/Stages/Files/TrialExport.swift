import Foundation
import Tuner

/// Trials as JSON or CSV, the export formats of `labmake trials` and of the dashboard's download: the
/// columns of `nnictl experiment export` (`parameter`, `value`, `trialJobId`, `intermediate`; in CSV each
/// parameter, then `reward` or the keys of an object metric, then `trialJobId`), followed by labmake's
/// own (`trial`, `status`, `seconds`, `error`; in JSON also `key`, `startedAt`, `endedAt`; when trials ran as
/// cluster jobs, `job`, `jobState` and `node`). Unlike nnictl, trials without a final result are rows too.
public enum TrialExport {
    /// One row of an export.
    private struct ExportRow: Encodable {
        var parameter: [String: ParameterValue]
        /// The final metric's JSON as a string, as nnictl writes it (`"0.8375"`); nil without one.
        var value: String?
        var trialJobId: String
        var intermediate: [String]
        var trial: Int
        var status: String
        var seconds: Double?
        var error: String?
        /// The trial's key (what a rerun reuses it by), and when it started and ended (seconds since 1970).
        var key: String
        var startedAt: Double?
        var endedAt: Double?
        /// The cluster job that ran it: its id, its scheduler state and node; nil on this machine.
        var job: String?
        var jobState: String?
        var node: String?
    }

    /// The final metric as NNI stores it: the object the trial reported, or the number.
    public static func value(_ trial: TrialRecord) -> String? {
        trial.metricDetails ?? trial.metric.map(number)
    }

    /// `labmake trials NAME --json`: nnictl's export, one object per trial.
    public static func json(_ trials: [TrialRecord]) -> String {
        let rows = trials.map { t in
            ExportRow(parameter: t.configuration.values, value: value(t), trialJobId: t.jobID, intermediate: t.intermediates.map(number),
                      trial: t.number, status: t.status.rawValue, seconds: t.seconds, error: t.error, key: t.key,
                      startedAt: t.startedAt?.timeIntervalSince1970, endedAt: t.endedAt?.timeIntervalSince1970,
                      job: t.placement?.job, jobState: t.placement?.state, node: t.placement?.node)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return (try? encoder.encode(rows)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    /// `labmake trials NAME --csv`: nnictl's export columns, then labmake's.
    public static func csv(_ trials: [TrialRecord]) -> String {
        let names = Array(Set(trials.flatMap { $0.configuration.values.keys })).sorted()
        let details = trials.map { t -> [String: JSONValue] in
            guard let text = t.metricDetails, case .object(let fields)? = try? JSONValue.parse(Data(text.utf8)) else { return [:] }
            return fields
        }
        let metricKeys = Array(Set(details.flatMap(\.keys))).sorted()
        let placed = trials.contains { $0.placement != nil }
        let rewardColumn = trials.contains { $0.metric != nil && $0.metricDetails == nil } || metricKeys.isEmpty
        let header = names + (rewardColumn ? ["reward"] : []) + metricKeys.filter { !names.contains($0) }
            + ["trialJobId", "intermediate", "trial", "status", "seconds", "error"]
            + (placed ? ["job", "jobState", "node"] : [])
        var lines = [header.map(csvField).joined(separator: ",")]
        for (t, fields) in zip(trials, details) {
            var row = names.map { t.configuration[$0]?.description ?? "" }
            if rewardColumn { row.append(t.metricDetails == nil ? t.metric.map(number) ?? "" : "") }
            row += metricKeys.filter { !names.contains($0) }.map { key in fields[key].map(text) ?? "" }
            row += [t.jobID, "[" + t.intermediates.map(number).joined(separator: ",") + "]", String(t.number), t.status.rawValue,
                    t.seconds.map { String(format: "%.3f", $0) } ?? "", t.error ?? ""]
            if placed { row += [t.placement?.job ?? "", t.placement?.state ?? "", t.placement?.node ?? ""] }
            lines.append(row.map(csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n")
    }

    /// A metric as JSON writes it: `0.8375`, `NaN`.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        return String(value)
    }

    private static func text(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let b): b ? "True" : "False"
        case .int(let i): String(i)
        case .double(let d): number(d)
        case .string(let s): s
        case .array, .object:
            (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    public static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
