import Datasets
import Foundation
import SystemIO
import Tuner

/// Built-in training trials for `labmake tune --model`, outside a pipeline.
public enum BuiltInTrials {
    /// A runner that trains on `data` (a CIFAR-10 binary archive or its folder, or a folder of IDX files) with `baseline` under
    /// each trial's parameters, evaluating on the test set (or on `validation` held-out images when the
    /// baseline sets it); with the identity its trials are keyed on.
    public static func runner(data: String, baseline: Configuration, workDirectory: String,
                              log: (String) -> Void = { _ in }) throws -> (runner: any TrialRunner, identity: String) {
        _ = try TrialParameters.trainingConfig(baseline)
        let cifar = try LocalImageDataset.open(data, log: log)
        let isDirectory = LocalFileSystem().stat(data)?.kind == .directory
        let digest = isDirectory ? "folder:" + URL(fileURLWithPath: data).standardizedFileURL.path
            : try Checksum.sha256("").compute(data)
        let dataset = LabDataset(classNames: cifar.classNames, train: cifar.train, evaluation: cifar.test, test: cifar.test,
                                 evaluatesOnValidation: false, digest: digest)
        return (TrainingTrialRunner(dataset: dataset, baseline: baseline, workDirectory: workDirectory),
                "train:\(TrainingTrialIdentity.version):" + digest + ":" + baseline.json)
    }
}
