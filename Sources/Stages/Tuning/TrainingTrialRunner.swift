import SystemIO
import Training
import Tuner

/// Runs a trial as a built-in training run on a lab dataset, reporting the evaluation accuracy after
/// each epoch (so the assessor can stop it) and returning the last epoch's.
///
/// Each trial checkpoints every epoch into `workDirectory/KEY`, so a trial cut short by a killed
/// experiment resumes at its last epoch; the folder is removed once the trial is over.
struct TrainingTrialRunner: TrialRunner {
    let dataset: LabDataset
    /// The settings under every trial's parameters.
    let baseline: Configuration
    let workDirectory: String
    var fileSystem: any FileSystem = LocalFileSystem()
    var isCancelled: @Sendable () -> Bool = { false }

    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        try run(trial, of: experiment, report: report, placed: { _ in }, isKilled: { false })
    }

    /// A killed trial stops after its current step.
    var stopsKilledTrials: Bool { true }

    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
             placed: @escaping @Sendable (TrialPlacement) -> Void, isKilled: @escaping @Sendable () -> Bool) throws -> TrialResult {
        let config: TrainingConfig
        do {
            config = try TrialParameters.trainingConfig(baseline.merging(trial.configuration))
        } catch {
            throw TunerError("parameters \(trial.configuration.json): \(error)")
        }
        let directory = workDirectory + "/" + trial.key
        try fileSystem.createDirectory(directory)
        var trainer = Trainer(config: config, train: dataset.train, test: dataset.evaluation, classes: dataset.classNames.count,
                              directory: directory, fileSystem: fileSystem)
        let ending = Ending()
        // Ctrl-C or a kill stops the trial within a step, not at the end of an epoch.
        trainer.isInterrupted = { [isCancelled] in
            guard isCancelled() || isKilled() else { return false }
            ending.cancelled = true
            return true
        }
        trainer.onEpoch = { [isCancelled] metrics in
            if isCancelled() { ending.cancelled = true; return false }
            if !report(metrics.testAccuracy) { ending.stopped = true; return false }
            return true
        }
        let result: TrainingResult
        do {
            result = try trainer.run()
        } catch {
            try? fileSystem.removeItem(directory)  // the trial's own failure is the error to report
            throw error
        }
        if ending.cancelled && result.status == .stopped { throw TrialCancelled() }
        try fileSystem.removeItem(directory)
        switch result.status {
        case .completed: return TrialResult(metric: result.finalAccuracy)
        case .stopped: throw TrialStopped()
        case .diverged: throw TunerError("diverged: \(result.message ?? "the loss is not finite")")
        }
    }

    /// Why the epoch callback said stop.
    private final class Ending: @unchecked Sendable {
        var cancelled = false
        var stopped = false
    }
}
