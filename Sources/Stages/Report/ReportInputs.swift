import Foundation
import Pipeline
import Report
import Tuner

/// Reads the lab's stage outputs (`dataset.json`, `trials.json`, `best.json`, `metrics.json`,
/// `config.json`) into the report's model.
struct ReportInputs {
    let root: String
    /// Output folders by role: `data`, `sweep`, `tune`, `retrain`.
    let folders: [String: String]

    func model(title: String, environment: ReportModel.Environment, pipeline: PipelineView?, reportStage: String) throws -> ReportModel {
        let dataset = try folders["data"].map(readDataset)
        let metric = (dataset?.validation ?? 0) > 0 ? "validation accuracy" : "test accuracy"
        return ReportModel(title: title, environment: environment, dataset: dataset, trialMetric: metric,
                           sweep: try folders["sweep"].map(readSweep), tuning: try folders["tune"].map(readTuning),
                           retraining: try folders["retrain"].map(readRetraining),
                           pipeline: pipelineSection(pipeline, reportStage: reportStage))
    }

    private func object(_ folder: String, _ file: String) throws -> [String: Any] {
        let path = root + "/" + PathRules.normalized(folder) + "/" + file
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StageFailure("cannot read \(PathRules.normalized(folder))/\(file): is '\(folder)' the right stage's output?")
        }
        return object
    }

    private func array(_ folder: String, _ file: String) throws -> [[String: Any]] {
        let path = root + "/" + PathRules.normalized(folder) + "/" + file
        guard let data = FileManager.default.contents(atPath: path),
              let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw StageFailure("cannot read \(PathRules.normalized(folder))/\(file): is '\(folder)' the right stage's output?")
        }
        return array
    }

    /// Parameter values as text, the way the trials received them.
    private func parameters(_ value: Any?) -> [String: String] {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value),
              let configuration = try? Configuration.parse(json: String(decoding: data, as: UTF8.self)) else { return [:] }
        return configuration.values.mapValues(\.description)
    }

    private func number(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue }

    private func readDataset(_ folder: String) throws -> ReportModel.Dataset {
        let json = try object(folder, "dataset.json")
        func count(_ key: String) -> Int { (json[key] as? [String: Any])?["count"] as? Int ?? 0 }
        return ReportModel.Dataset(name: json["dataset"] as? String ?? "dataset", classes: json["classes"] as? [String] ?? [],
                                   train: count("train"), validation: count("validation"), test: count("test"))
    }

    private func trials(_ folder: String) throws -> [ReportModel.Trial] {
        try array(folder, "trials.json").map { t in
            ReportModel.Trial(number: t["number"] as? Int ?? 0, label: t["label"] as? String, parameter: t["parameter"] as? String,
                              parameters: parameters(t["parameters"]), status: t["status"] as? String ?? "UNKNOWN", metric: number(t["metric"]),
                              intermediates: (t["intermediates"] as? [Any] ?? []).compactMap(number), seconds: number(t["seconds"]),
                              reused: t["reused"] as? Bool ?? false)
        }
    }

    private func readSweep(_ folder: String) throws -> ReportModel.Sweep {
        let best = try object(folder, "best.json")
        return ReportModel.Sweep(strategy: best["strategy"] as? String ?? "one-at-a-time", baseline: parameters(best["baseline"]),
                                 varied: ((best["vary"] as? [String: Any]) ?? [:]).keys.sorted(), trials: try trials(folder),
                                 bestTrial: best["trial"] as? Int ?? 0)
    }

    private func readTuning(_ folder: String) throws -> ReportModel.Tuning {
        let best = try object(folder, "best.json")
        return ReportModel.Tuning(tuner: best["tuner"] as? String ?? "tpe", trials: try trials(folder), bestTrial: best["trial"] as? Int ?? 0,
                                  bestParameters: parameters(best["parameters"]))
    }

    private func readRetraining(_ folder: String) throws -> ReportModel.Retraining {
        let metrics = try object(folder, "metrics.json"), config = try object(folder, "config.json")
        let from = config["from"] as? [String: Any]
        let epochs = (metrics["epochs"] as? [[String: Any]] ?? []).map { e in
            ReportModel.Epoch(epoch: e["epoch"] as? Int ?? 0, trainLoss: number(e["train_loss"]) ?? .nan,
                              trainAccuracy: number(e["train_accuracy"]) ?? .nan, testLoss: number(e["test_loss"]) ?? .nan,
                              testAccuracy: number(e["test_accuracy"]) ?? .nan, learningRate: number(e["learning_rate"]) ?? .nan,
                              seconds: number(e["seconds"]) ?? .nan)
        }
        return ReportModel.Retraining(fromStage: from?["stage"] as? String, fromTrial: from?["trial"] as? Int,
                                      parameters: parameters(config["parameters"]), epochs: epochs,
                                      finalAccuracy: number(metrics["final_accuracy"]) ?? .nan, seconds: number(metrics["seconds"]) ?? .nan)
    }

    private func pipelineSection(_ view: PipelineView?, reportStage: String) -> ReportModel.Pipeline {
        guard let view else { return ReportModel.Pipeline(mermaid: "", stages: []) }
        let stages = view.graph.stages.map { s in
            s.name == reportStage
                ? ReportModel.Stage(name: s.name, kind: s.kind, status: "executed", seconds: nil)
                : ReportModel.Stage(name: s.name, kind: s.kind, status: view.statuses[s.name]?.rawValue ?? "not run",
                                    seconds: view.records[s.name]?.seconds)
        }
        return ReportModel.Pipeline(mermaid: view.graph.mermaid, stages: stages)
    }
}
