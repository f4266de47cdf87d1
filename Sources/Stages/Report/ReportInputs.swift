import Datasets
import Foundation
import Pipeline
import SystemIO
import Training
import Report
import Tuner

/// Reads the lab's stage outputs (`dataset.json`, `trials.json`, `best.json`, `metrics.json`,
/// `config.json`) into the report's model.
struct ReportInputs {
    let root: String
    let fileSystem: any FileSystem
    /// Output folders by role: `data`, `sweep`, `tune`, `retrain`.
    let folders: [String: String]

    /// - Parameter title: nil names the report after the dataset (``defaultTitle(dataset:)``).
    func model(title: String?, environment: ReportModel.Environment, pipeline: PipelineView?, reportStage: String) throws -> ReportModel {
        let dataset = try folders["data"].map(readDataset)
        let title = title ?? Self.defaultTitle(dataset: dataset?.name)
        let metric = (dataset?.validation ?? 0) > 0 ? "validation accuracy" : "test accuracy"
        return ReportModel(title: title, environment: environment, dataset: dataset, trialMetric: metric,
                           sweep: try folders["sweep"].map(readSweep), tuning: try folders["tune"].map(readTuning),
                           retraining: try folders["retrain"].map(readRetraining),
                           pipeline: pipelineSection(pipeline, reportStage: reportStage))
    }

    /// "CIFAR-10 AutoML lab report", "Fashion-MNIST AutoML lab report"…; "AutoML lab report" without a dataset.
    static func defaultTitle(dataset: String?) -> String {
        guard let dataset else { return "AutoML lab report" }
        let name = dataset == "cifar10" ? "CIFAR-10" : IDXDataset(rawValue: dataset)?.title ?? dataset
        return name + " AutoML lab report"
    }

    private func read<File: StageFile>(_ type: File.Type, _ folder: String) throws -> File {
        try File.read(folder, root: root, fileSystem: fileSystem)
    }

    /// Parameter values as text, the way the trials received them.
    private func text(_ parameters: [String: ParameterValue]) -> [String: String] { parameters.mapValues(\.description) }

    private func readDataset(_ folder: String) throws -> ReportModel.Dataset {
        let summary = try read(DatasetSummary.self, folder)
        return ReportModel.Dataset(name: summary.dataset, classes: summary.classes, train: summary.train.count,
                                   validation: summary.validation.count, test: summary.test.count)
    }

    private func trials(_ folder: String) throws -> [ReportModel.Trial] {
        try read(TrialsFile.self, folder).trials.map { t in
            ReportModel.Trial(number: t.number, label: t.label, parameter: t.parameter, parameters: text(t.parameters),
                              status: t.status.rawValue, metric: t.metric, intermediates: t.intermediates, seconds: t.seconds,
                              reused: t.reused)
        }
    }

    private func readSweep(_ folder: String) throws -> ReportModel.Sweep {
        let best = try read(BestTrial.self, folder)
        guard let strategy = best.strategy, let baseline = best.baseline, let vary = best.vary else {
            throw StageFailure("\(PathRules.normalized(folder))/best.json is a tuning's, not a sweep's: is '\(folder)' the sweep stage's output?")
        }
        return ReportModel.Sweep(strategy: strategy, baseline: text(baseline), varied: vary.keys.sorted(), trials: try trials(folder),
                                 bestTrial: best.trial)
    }

    private func readTuning(_ folder: String) throws -> ReportModel.Tuning {
        let best = try read(BestTrial.self, folder)
        guard let tuner = best.tuner else {
            throw StageFailure("\(PathRules.normalized(folder))/best.json is a sweep's, not a tuning's: is '\(folder)' the tune stage's output?")
        }
        return ReportModel.Tuning(tuner: tuner, trials: try trials(folder), bestTrial: best.trial, bestParameters: text(best.parameters))
    }

    private func readRetraining(_ folder: String) throws -> ReportModel.Retraining {
        let config = try read(RetrainConfig.self, folder)
        let metrics = try read(TrainingMetricsFile.self, folder).result
        let epochs = metrics.epochs.map { e in
            ReportModel.Epoch(epoch: e.epoch, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, testLoss: e.testLoss,
                              testAccuracy: e.testAccuracy, learningRate: e.learningRate, seconds: e.seconds)
        }
        var fromStage: String?, fromTrial: Int?
        if case .trial(let stage, let trial, _) = config.from { (fromStage, fromTrial) = (stage, trial) }
        return ReportModel.Retraining(fromStage: fromStage, fromTrial: fromTrial, parameters: text(config.parameters), epochs: epochs,
                                      finalAccuracy: metrics.finalAccuracy, seconds: metrics.seconds)
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
