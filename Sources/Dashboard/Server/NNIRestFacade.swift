import Foundation
import NNI
import Stages
import Tuner

/// `/api/v1/nni/…`: an experiment in the shapes of NNI's REST API, read only, so that scripts written
/// against a running NNI experiment (`nni.experiment.Experiment.connect(port)`, `requests.get(…/trial-jobs)`)
/// read labmake's as they are. It serves the most recently saved experiment, or `?experiment=NAME`.
/// Trials map directly: number → `sequenceId` (from 0), parameters → `hyperParameters`, intermediate
/// results → PERIODICAL records, the final metric → FINAL; statuses are NNI's already.
struct NNIRestFacade {
    let view: ExperimentView
    let logDirectory: String

    /// What a read finds: a JSON value, or why there is none.
    enum Answer {
        case found(Any)
        case missing(String)
    }

    /// The answer to `path` (after `/api/v1/nni`).
    func answer(_ path: String, _ query: [String: [String]]) -> Answer {
        guard let found = read(path, query) else {
            let parts = path.split(separator: "/")
            return .missing(parts.count == 2 && ["trial-jobs", "metric-data"].contains(parts[0])
                            ? "\(view.name) has no trial \(parts[1])" : "NNI's API has no read \(path) here")
        }
        return .found(found)
    }

    private func read(_ path: String, _ query: [String: [String]]) -> Any? {
        let parts = path.split(separator: "/").map(String.init)
        switch (parts.first ?? "", parts.count) {
        case ("version", 1): return LabmakeVersion.current
        case ("check-status", 1): return ["status": status, "errors": [String]()]
        case ("experiment", 1): return profile
        case ("job-statistics", 1):
            var counts: [String: Int] = [:]
            for t in view.trials { counts[t.status.rawValue, default: 0] += 1 }
            return counts.sorted { $0.key < $1.key }.map { ["trialJobStatus": $0.key, "trialJobNumber": $0.value] as [String: Any] }
        case ("trial-jobs", 1):
            let wanted = query["status"]?.first
            return view.trials.filter { wanted == nil || $0.status.rawValue == wanted }.map(job)
        case ("trial-jobs", 2):
            return view.trials.first { $0.jobID == parts[1] }.map(job)
        case ("metric-data", 1), ("metric-data", 2):
            if parts.count == 2 && !view.trials.contains(where: { $0.jobID == parts[1] }) { return nil }
            let type = query["type"]?.first
            return view.trials.filter { parts.count == 1 || $0.jobID == parts[1] }.flatMap(metrics)
                .filter { type == nil || $0["type"] as? String == type }
        case ("export-data", 1):
            return view.trials.filter { $0.status == .succeeded && $0.metric != nil }.map { t -> [String: Any] in
                ["parameter": jsonObject(t.configuration.json), "value": value(t), "trialJobId": t.jobID]
            }
        default: return nil
        }
    }

    /// NNI's experiment status: RUNNING while a trial runs or waits, DONE after, INITIALIZED before any.
    var status: String {
        if view.trials.isEmpty { return "INITIALIZED" }
        return view.isLive ? "RUNNING" : "DONE"
    }

    private var profile: [String: Any] {
        let start = view.trials.compactMap(\.startedAt).min()
        let end = status == "DONE" ? view.trials.compactMap(\.endedAt).max() : nil
        var params: [String: Any] = ["experimentName": view.name]
        if let max = view.stage?.maxTrials { params["maxTrialNumber"] = max }
        if let tuner = view.stage?.tuner { params["tuner"] = ["name": tuner] }
        if let assessor = view.stage?.assessor { params["assessor"] = ["name": assessor] }
        var result: [String: Any] = [
            "id": NNITrialProtocol.experimentID(view.name), "revision": view.trials.count, "logDir": logDirectory,
            "nextSequenceId": (view.trials.map(\.number).max() ?? 0), "params": params,
            "execDuration": Int(((end ?? Date()).timeIntervalSince(start ?? Date())).rounded()),
        ]
        if let start { result["startTime"] = milliseconds(start) }
        if let end { result["endTime"] = milliseconds(end) }
        return result
    }

    /// A trial as NNI's `TrialJobInfo`, with exactly the keys `nni.experiment.TrialJob` takes.
    private func job(_ t: TrialRecord) -> [String: Any] {
        let parameters = "{\"parameter_id\":\(t.number - 1),\"parameter_source\":\"algorithm\",\"parameters\":\(t.configuration.json),\"parameter_index\":0}"
        return [
            "trialJobId": t.jobID, "sequenceId": t.number - 1, "status": t.status.rawValue,
            "startTime": t.startedAt.map(milliseconds) ?? 0, "endTime": t.endedAt.map(milliseconds) ?? -1,
            "hyperParameters": [parameters], "logPath": "", "stderrPath": "",
            "finalMetricData": finalRecord(t).map { [$0] } ?? [],
        ]
    }

    /// A trial's metric records as NNI's `MetricDataRecord`s: `data` is the value's JSON, JSON-encoded
    /// again, as NNI stores it (`json.loads(json.loads(data))` gives the value back).
    private func metrics(_ t: TrialRecord) -> [[String: Any]] {
        t.intermediates.enumerated().map { record(t, "PERIODICAL", $0.offset, TrialExport.number($0.element), t.startedAt) }
            + (finalRecord(t).map { [$0] } ?? [])
    }

    /// The FINAL record, when the trial has a result.
    private func finalRecord(_ t: TrialRecord) -> [String: Any]? {
        t.metric == nil ? nil : record(t, "FINAL", 0, value(t), t.endedAt)
    }

    private func record(_ t: TrialRecord, _ type: String, _ sequence: Int, _ value: String, _ time: Date?) -> [String: Any] {
        ["timestamp": time.map(milliseconds) ?? 0, "trialJobId": t.jobID, "parameterId": String(t.number - 1), "type": type,
         "sequence": sequence, "data": jsonString(value)]
    }

    /// The final result as the trial reported it: a number, or the JSON object of a dict metric.
    private func value(_ t: TrialRecord) -> String {
        t.metricDetails ?? t.metric.map(TrialExport.number) ?? "null"
    }

    private func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }

    private func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed])) ?? Data(), as: UTF8.self)
    }

    private func jsonObject(_ text: String) -> Any {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? [String: Any]()
    }
}
