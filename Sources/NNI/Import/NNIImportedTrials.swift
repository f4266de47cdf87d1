import Foundation
import Tuner

/// Trials rebuilt from an NNI database's events and metrics.
struct NNIImportedTrials {
    let experimentID: String
    private var order: [String] = []
    private var trials: [String: Trial] = [:]

    init(experimentID: String) { self.experimentID = experimentID }

    struct Trial {
        var sequence: Int?
        var parameters: Configuration?
        var status: TrialStatus = .waiting
        var started: Double?
        var ended: Double?
        var periodical: [(sequence: Int, value: Double)] = []
        var final: (Double, String?)?
        var problems: [String] = []
    }

    /// One `TrialJobEvent` row.
    mutating func event(job: String, event: String, timestamp: Int64?, data: String?, sequence: Int?) throws {
        guard !job.isEmpty else { return }
        var trial = trials[job] ?? Trial()
        if trials[job] == nil { order.append(job) }
        if let sequence, trial.sequence == nil { trial.sequence = sequence }
        let time = timestamp.map { Double($0) / 1000 }
        // NNI 2.x keeps the parameter record with WAITING, 3.0 with RUNNING.
        if trial.parameters == nil, let data, !data.isEmpty { trial.parameters = Self.parameters(data, problems: &trial.problems) }
        switch event {
        case "RUNNING":
            trial.status = .running
            trial.started = trial.started ?? time
        case "SUCCEEDED": (trial.status, trial.ended) = (.succeeded, time)
        case "FAILED": (trial.status, trial.ended) = (.failed, time)
        case "EARLY_STOPPED": (trial.status, trial.ended) = (.earlyStopped, time)
        case "USER_CANCELED", "SYS_CANCELED": (trial.status, trial.ended) = (.userCancelled, time)
        default: break
        }
        trials[job] = trial
    }

    /// One `MetricData` row: `data` is the metric's JSON, itself written as a JSON string.
    mutating func metric(job: String, type: String, sequence: Int?, data: String?) {
        guard var trial = trials[job], let data else { return }
        do {
            var value = try NNIMetricRecord.lenientJSON(Data(data.utf8))
            if case .string(let inner) = value { value = try NNIMetricRecord.lenientJSON(Data(inner.utf8)) }
            let (scalar, details) = try NNIMetricRecord.scalar(value)
            switch type {
            case "PERIODICAL": trial.periodical.append((sequence ?? trial.periodical.count, scalar))
            case "FINAL": trial.final = (scalar, details)
            default: break
            }
        } catch {
            trial.problems.append("a \(type) metric could not be read: \(error)")
        }
        trials[job] = trial
    }

    /// The trials as labmake records them, numbered in NNI's order.
    func records() -> [TrialRecord] {
        let jobs = order.enumerated().sorted { a, b in
            let (sa, sb) = (trials[a.element]?.sequence ?? Int.max, trials[b.element]?.sequence ?? Int.max)
            return sa != sb ? sa < sb : a.offset < b.offset
        }.map(\.element)
        return jobs.enumerated().map { index, job in
            let trial = trials[job]!
            let configuration = trial.parameters ?? Configuration(values: [:])
            var record = TrialRecord(number: index + 1, configuration: configuration,
                                     key: TrialKey.of(configuration, identity: "nni:" + experimentID + ":" + job), status: trial.status,
                                     startedAt: trial.started.map(Date.init(timeIntervalSince1970:)),
                                     endedAt: trial.ended.map(Date.init(timeIntervalSince1970:)),
                                     metric: trial.final?.0,
                                     intermediates: trial.periodical.sorted { $0.sequence < $1.sequence }.map(\.value))
            record.metricDetails = trial.final?.1
            record.importedID = job
            var problems = trial.problems
            if trial.status == .waiting || trial.status == .running {
                problems.append("still \(trial.status.rawValue) when NNI's experiment stopped")
                record.status = .userCancelled
            }
            if trial.parameters == nil { problems.append("NNI recorded no parameters for it") }
            record.error = problems.isEmpty ? nil : problems.joined(separator: "; ")
            return record
        }
    }

    /// The `parameters` of NNI's parameter record (`{"parameter_id": 0, "parameters": {…}, …}`).
    private static func parameters(_ data: String, problems: inout [String]) -> Configuration? {
        do {
            guard case .object(let record) = try NNIMetricRecord.lenientJSON(Data(data.utf8)), let parameters = record["parameters"] else {
                problems.append("its parameter record has no parameters")
                return nil
            }
            let json = try JSONEncoder().encode(parameters)
            return try Configuration.parse(json: String(decoding: json, as: UTF8.self))
        } catch {
            problems.append("its parameters could not be read: \(error)")
            return nil
        }
    }

    /// An experiment id as a name part: NNI's ids are 8 letters and digits; anything else is replaced.
    static func safeID(_ id: String) -> String { NNITrialProtocol.experimentID(id) }
}
