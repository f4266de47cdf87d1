import Foundation
import Mustache

/// The lab report: Markdown rendered from a Mustache template and the charts it links to.
///
/// The template sees a context of ready-formatted strings (see ``context``): `environment`, `dataset`,
/// `baseline`, `sweep` (`tables`, `combined`), `tuning` (`trials`, `best`), `retraining` (`epochs`),
/// `comparison` (`baseline`, `manual`, `automatic`), `pipeline` (`mermaid`, `stages`), `notes` (when there are any) and `charts`.
public struct LabReport: Sendable {
    public let model: ReportModel

    public init(_ model: ReportModel) { self.model = model }

    /// The chart files, by name: `tuning-trials.svg`, `sweep-trials.svg`, `parallel-coordinates.svg`,
    /// `learning-curve.svg` (each only when its data is there).
    public var charts: [String: String] {
        var files: [String: String] = [:]
        if let sweep = model.sweep {
            files["sweep-trials.svg"] = ReportCharts.trials(sweep.trials, title: "Manual sweep: \(model.trialMetric) per trial", metric: model.trialMetric)
        }
        if let tuning = model.tuning {
            files["tuning-trials.svg"] = ReportCharts.trials(tuning.trials, title: "Automatic tuning (\(tuning.tuner)): \(model.trialMetric) per trial",
                                                             metric: model.trialMetric)
            let names = Array(Set(tuning.trials.flatMap { $0.parameters.keys })).sorted()
            if !names.isEmpty {
                files["parallel-coordinates.svg"] = ReportCharts.parallelCoordinates(tuning.trials, parameters: names,
                                                                                     title: "Tuning trials by parameter", metric: "accuracy")
            }
        }
        if let retraining = model.retraining, !retraining.epochs.isEmpty {
            files["learning-curve.svg"] = ReportCharts.learningCurve(retraining.epochs, title: "Retraining: accuracy per epoch")
        }
        return files
    }

    /// The Markdown for `template` (Mustache; `{{x}}` is not HTML-escaped).
    public func markdown(template: String) throws -> String {
        let compiled = try MustacheTemplate(string: "{{% CONTENT_TYPE: TEXT}}" + template)
        return compiled.render(context)
    }

    /// What templates see.
    public var context: [String: Any] {
        var c: [String: Any] = ["title": model.title, "trial_metric": model.trialMetric]
        let e = model.environment
        c["environment"] = ["cpu": e.cpu, "cores": e.cores, "memory": ReportText.gibibytes(e.memoryBytes), "gpu": e.gpu, "os": e.os,
                            "swift": e.swift, "labmake": e.labmake, "backend": e.backend]
        if let d = model.dataset {
            c["dataset"] = ["name": d.name, "classes": d.classes.joined(separator: ", "), "class_count": d.classes.count, "train": d.train,
                            "validation": d.validation, "test": d.test, "evaluated_on_validation": d.validation > 0]
        }
        let baselineTrial = model.sweep?.trials.first { $0.label == "baseline" }
        if let sweep = model.sweep {
            c["baseline"] = ["accuracy": ReportText.percent(baselineTrial?.metric), "trial": baselineTrial?.number ?? 0,
                             "parameters": rows(sweep.baseline)]
            c["sweep"] = sweepContext(sweep)
        }
        if let tuning = model.tuning { c["tuning"] = tuningContext(tuning) }
        if let r = model.retraining {
            c["retraining"] = [
                "from_stage": r.fromStage ?? "params", "from_trial": r.fromTrial.map(String.init) ?? "–",
                "accuracy": ReportText.percent(r.finalAccuracy), "epoch_count": r.epochs.count, "duration": ReportText.duration(r.seconds),
                "parameters": rows(r.parameters),
                "epochs": r.epochs.map { e -> [String: Any] in
                    ["epoch": e.epoch, "train_loss": String(format: "%.4f", e.trainLoss), "train_accuracy": ReportText.percent(e.trainAccuracy),
                     "test_loss": String(format: "%.4f", e.testLoss), "test_accuracy": ReportText.percent(e.testAccuracy),
                     "learning_rate": ReportText.value(String(e.learningRate)), "duration": ReportText.duration(e.seconds)]
                },
            ]
        }
        c["comparison"] = comparison(baseline: baselineTrial)
        c["pipeline"] = [
            "mermaid": model.pipeline.mermaid.trimmingCharacters(in: .newlines),
            "stages": model.pipeline.stages.map { ["name": $0.name, "kind": $0.kind, "status": $0.status, "duration": ReportText.duration($0.seconds)] },
            "executed": model.pipeline.stages.filter { $0.status == "executed" }.map(\.name).joined(separator: ", "),
            "cached": model.pipeline.stages.filter { $0.status != "executed" }.map(\.name).joined(separator: ", "),
        ]
        if let notes = model.notes?.trimmingCharacters(in: .whitespacesAndNewlines), !notes.isEmpty { c["notes"] = notes }
        c["charts"] = Dictionary(uniqueKeysWithValues: charts.keys.map { (String($0.dropLast(4)).replacingOccurrences(of: "-", with: "_"), $0) })
        return c
    }

    private func rows(_ parameters: [String: String]) -> [[String: String]] {
        parameters.keys.sorted().map { ["name": $0, "value": ReportText.value(parameters[$0]!)] }
    }

    private func sweepContext(_ sweep: ReportModel.Sweep) -> [String: Any] {
        let baseline = sweep.trials.first { $0.label == "baseline" }
        let tables = sweep.varied.map { name -> [String: Any] in
            var entries = sweep.trials.filter { $0.parameter == name }
            if let baseline { entries.insert(baseline, at: 0) }
            let numeric = entries.allSatisfy { Double($0.parameters[name] ?? "") != nil }
            if numeric { entries.sort { Double($0.parameters[name]!)! < Double($1.parameters[name]!)! } }
            let best = entries.filter { $0.metric != nil && $0.status == "SUCCEEDED" }.max { $0.metric! < $1.metric! }
            return ["parameter": name, "best_value": best.map { ReportText.value($0.parameters[name] ?? "") } ?? "–",
                    "rows": entries.map { t -> [String: Any] in
                        ["value": ReportText.value(t.parameters[name] ?? "–"), "accuracy": ReportText.result(t), "status": t.status,
                         "duration": ReportText.duration(t.seconds), "trial": t.number, "best": t.number == best?.number,
                         "baseline": t.label == "baseline"]
                    }]
        }
        let combined = sweep.trials.filter { $0.label == "combined best" || ($0.label ?? "").hasPrefix("combination") }
        let best = sweep.trials.first { $0.number == sweep.bestTrial }
        return [
            "strategy": sweep.strategy, "count": sweep.trials.count, "tables": tables, "has_combined": !combined.isEmpty,
            "compute_time": ReportText.duration(sweep.trials.compactMap(\.seconds).reduce(0, +)),
            "combined": combined.map { t -> [String: Any] in
                let changes = t.parameters.filter { sweep.baseline[$0.key] != $0.value }
                return ["label": t.label ?? "", "changes": ReportText.cell(ReportText.parameters(changes)), "accuracy": ReportText.result(t),
                        "status": t.status, "duration": ReportText.duration(t.seconds), "trial": t.number, "best": t.number == sweep.bestTrial]
            },
            "best": ["trial": sweep.bestTrial, "label": best?.label ?? "", "accuracy": ReportText.percent(best?.metric),
                     "parameters": rows(best?.parameters ?? [:])],
        ]
    }

    private func tuningContext(_ tuning: ReportModel.Tuning) -> [String: Any] {
        let sorted = tuning.trials.sorted { a, b in
            switch (a.metric, b.metric) {
            case let (x?, y?): return x != y ? x > y : a.number < b.number
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.number < b.number
            }
        }
        let best = tuning.trials.first { $0.number == tuning.bestTrial }
        return [
            "tuner": tuning.tuner, "count": tuning.trials.count,
            "succeeded": tuning.trials.filter { $0.status == "SUCCEEDED" }.count,
            "compute_time": ReportText.duration(tuning.trials.compactMap(\.seconds).reduce(0, +)),
            "trials": sorted.enumerated().map { rank, t -> [String: Any] in
                ["rank": rank + 1, "number": t.number, "status": t.status, "accuracy": ReportText.result(t),
                 "duration": ReportText.duration(t.seconds), "parameters": ReportText.cell(ReportText.parameters(t.parameters)),
                 "best": t.number == tuning.bestTrial, "reused": t.reused]
            },
            "best": ["trial": tuning.bestTrial, "accuracy": ReportText.percent(best?.metric), "parameters": rows(tuning.bestParameters)],
        ]
    }

    /// Baseline, manual and automatic side by side: accuracy, gain over the baseline, trials and compute.
    private func comparison(baseline: ReportModel.Trial?) -> [String: Any] {
        func entry(_ metric: Double?, trials: [ReportModel.Trial]) -> [String: Any] {
            ["accuracy": ReportText.percent(metric), "gain": ReportText.points(metric.flatMap { m in baseline?.metric.map { m - $0 } }),
             "trials": trials.count, "compute_time": ReportText.duration(trials.compactMap(\.seconds).reduce(0, +))]
        }
        var c: [String: Any] = [:]
        if let baseline { c["baseline"] = entry(baseline.metric, trials: [baseline]) }
        let manualBest = model.sweep.flatMap { s in s.trials.first { $0.number == s.bestTrial } }
        let automaticBest = model.tuning.flatMap { t in t.trials.first { $0.number == t.bestTrial } }
        if let sweep = model.sweep { c["manual"] = entry(manualBest?.metric, trials: sweep.trials) }
        if let tuning = model.tuning { c["automatic"] = entry(automaticBest?.metric, trials: tuning.trials) }
        if let m = manualBest?.metric, let a = automaticBest?.metric {
            c["winner_manual"] = m >= a
            c["winner_automatic"] = a > m
        }
        return c
    }
}
