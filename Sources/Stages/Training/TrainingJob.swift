import Foundation
import Pipeline
import SystemIO
import Training
import Tuner

/// A `train` stage's training run as a batch job of its own (`labmake train-exec`), under a Slurm
/// executor: the job trains in the stage's scratch folder — checkpointing every epoch there, so that a
/// requeued job or a rerun resumes — and writes the weights and metrics that the stage then takes, as
/// it takes them from an in-process run.
public enum TrainingJob {
    /// Runs `configuration` as a job on the stage's executor; returns the result the job saved in `work`.
    static func run(_ stage: StageDefinition, context: StageContext, configuration: Configuration, data: String,
                    work: String) throws -> TrainingResult {
        let configurationFile = work + "/configuration.json"
        try context.fileSystem.writeText(configurationFile, configuration.json)
        let command = [BuiltInTrialJob.executablePath, "train-exec", "--data", data, "--configuration", configurationFile,
                       "--work", work, "--device", context.settings.device].map(\.shellQuoted).joined(separator: " ")
        // The checkpoint in `work` carries a killed run's epochs over to the new job.
        let id = try StageBatchJob(stage: stage, context: context).run(
            ProcessRequest(command: command, workingDirectory: context.workspaceRoot), key: "train:" + configuration.json,
            what: "training", onCancel: "; the next run resumes from the checkpoint")
        do {
            return try JSONDecoder().decode(TrainingResult.self, from: Data(context.fileSystem.readFile(work + "/metrics.json")))
        } catch {
            throw StageFailure("Slurm job \(id) ended without its metrics (\(work)/metrics.json): \(error)")
        }
    }

    /// The job's side: trains `configurationFile`'s settings on `data`, evaluating on the test set, in
    /// `work`; prints one line per epoch. Returns the exit status: 0 trained, 1 failed, 3 diverged.
    public static func execute(data: String, configurationFile: String, work: String, device: String,
                               print: @escaping @Sendable (String) -> Void, log: @escaping @Sendable (String) -> Void) -> Int32 {
        let fileSystem = LocalFileSystem()
        do {
            let configuration = try Configuration.parse(json: fileSystem.readText(configurationFile))
            let config = try TrialParameters.trainingConfig(configuration)
            try StageDevice.activate(device, log: print)
            let dataset = try LabDataset.open(folder: data, fileSystem: fileSystem, log: print)
            try fileSystem.createDirectory(work)
            var trainer = Trainer(config: config, train: dataset.train, test: dataset.test, classes: dataset.classNames.count,
                                  directory: work, fileSystem: fileSystem)
            trainer.onEpoch = { m in
                print(TrainStage.epochLine(m, epochs: config.epochs))
                return true
            }
            let result = try trainer.run()
            if result.resumedEpochs > 0 { print("resumed after epoch \(result.resumedEpochs)") }
            if result.status == .diverged {
                log("training diverged: \(result.message ?? "the loss is not finite")")
                return 3
            }
            return 0
        } catch {
            log("\(error)")
            return 1
        }
    }
}
