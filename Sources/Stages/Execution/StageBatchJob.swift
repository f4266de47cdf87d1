import Executors
import Foundation
import Pipeline
import SystemIO

/// A stage's work as one batch job on its executor, watched to its end with its output shown as the
/// stage's: a command stage's command, a `train` stage's training.
///
/// A stage's outputs are deleted before it runs, so a job that a killed labmake left running for the
/// stage is cancelled, not re-attached to; Ctrl-C cancels the job.
struct StageBatchJob {
    let stage: StageDefinition
    let context: StageContext

    /// Runs `process` as the stage's job (its files in the stage's scratch folder); returns the job's id
    /// when it exited 0, throws the stage's failure otherwise, in the words of `what`.
    func run(_ process: ProcessRequest, key: String, what: String, onCancel: String = "") throws -> String {
        let executor = StageJobExecutor.make(for: stage, context: context, detaching: false)
        let folder = context.scratchDirectory + "/job"
        let job = JobRequest(name: stage.name, process: process, folder: folder, key: key)
        if let earlier = executor.attach(job) {
            context.output("cancelling Slurm job \(earlier.id), left running for this stage by an earlier labmake")
            executor.cancel(earlier)
            _ = executor.watch(earlier) { _ in }
        }
        try? context.fileSystem.removeItem(folder)
        let handle: JobHandle
        do {
            handle = try executor.submit(job)
        } catch {
            throw StageFailure("could not submit the stage's Slurm job: \(error)")
        }
        context.output("Slurm job \(handle.id)")
        let finished = Locked(false)
        let isCancelled = context.isCancelled
        Thread.detachNewThread {
            while !finished.withLock({ $0 }) {
                if isCancelled() {
                    executor.cancel(handle)
                    return
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        let end = executor.watch(handle, output: context.output)
        finished.withLock { $0 = true }
        switch end {
        case .exited(0): return handle.id
        case .cancelled: throw StageFailure("interrupted; Slurm job \(handle.id) was cancelled" + onCancel)
        default: throw StageFailure("\(what) failed: Slurm job \(handle.id): \(end.summary)")
        }
    }
}
