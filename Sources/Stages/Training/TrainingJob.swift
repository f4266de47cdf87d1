import Executors
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
        let executor = StageJobExecutor.make(for: stage, context: context, detaching: false)
        let job = JobRequest(name: stage.name, process: ProcessRequest(command: command, workingDirectory: context.workspaceRoot),
                             folder: context.scratchDirectory + "/job", key: "train:" + configuration.json)
        // The checkpoint in `work` carries a killed run's epochs over; a job an earlier labmake left
        // running would write beside this one, so it is cancelled first.
        if let earlier = executor.attach(job) {
            context.output("cancelling Slurm job \(earlier.id), left running for this stage by an earlier labmake; training resumes from its checkpoint")
            executor.cancel(earlier)
            _ = executor.watch(earlier) { _ in }
        }
        try? context.fileSystem.removeItem(context.scratchDirectory + "/job")
        let handle: JobHandle
        do {
            handle = try executor.submit(job)
        } catch {
            throw StageFailure("could not submit the stage's Slurm job: \(error)")
        }
        context.output("Slurm job \(handle.id)")
        let finished = Locked(false)
        Thread.detachNewThread {
            while !finished.withLock({ $0 }) {
                if context.isCancelled() {
                    executor.cancel(handle)
                    return
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        let end = executor.watch(handle, output: context.output)
        finished.withLock { $0 = true }
        switch end {
        case .exited(0):
            break
        case .cancelled:
            throw StageFailure("interrupted; Slurm job \(handle.id) was cancelled; the next run resumes from the checkpoint")
        default:
            throw StageFailure("training failed: Slurm job \(handle.id): \(end.summary)")
        }
        do {
            return try JSONDecoder().decode(TrainingResult.self, from: Data(context.fileSystem.readFile(work + "/metrics.json")))
        } catch {
            throw StageFailure("Slurm job \(handle.id) ended without its metrics (\(work)/metrics.json): \(error)")
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
