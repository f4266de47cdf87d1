import Foundation
import Stages
import Tuner

/// Trials as a log or as `labmake tune --json`'s record list; the exports of `labmake trials` are ``TrialExport``'s.
enum TrialOutput {
    static func writeLog(_ trials: [TrialRecord], to path: String) throws {
        let lines = trials.map { t -> String in
            let value = t.metric.map { $0.isFinite ? String($0) : "null" } ?? "null"
            return "{\"parameters\": \(t.configuration.json), \"value\": \(value), \"suggest_s\": \(t.suggestSeconds), \"status\": \"\(t.status.rawValue)\"}"
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// `labmake tune --json`: the experiment and its trial records.
    static func json(_ trials: [TrialRecord], experiment: String) -> String {
        let encoder = WorkspaceTrialStore.encoder
        let body = (try? encoder.encode(trials)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return "{\"experiment\": \"\(experiment)\", \"trials\": \(body)}"
    }
}
