import Executors
import Foundation
import Pipeline
import SystemIO

/// The `cmd` kind as labmake registers it: ``CommandStage`` on this machine, or, under a Slurm
/// executor, its command as one batch job in the stage's scratch folder, its output shown as it comes.
///
/// A stage's outputs are deleted before it runs, so a job that a killed labmake left running for the
/// stage is cancelled, not re-attached to, and the stage runs again; Ctrl-C cancels the stage's job.
struct CommandStageKind: StageKind {
    private let local = CommandStage()
    var name: String { local.name }
    var version: String { local.version }

    func run(_ stage: StageDefinition, context: StageContext) throws {
        guard context.settings.executor(for: stage).isSlurm else { return try local.run(stage, context: context) }
        let request = try CommandStage.prepare(stage, context: context)
        let executor = StageJobExecutor.make(for: stage, context: context, detaching: false)
        let job = JobRequest(name: stage.name, process: request, folder: context.scratchDirectory + "/job", key: "stage")
        if let earlier = executor.attach(job) {
            context.output("cancelling Slurm job \(earlier.id), left running for this stage by an earlier labmake")
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
        case .exited(0): return
        case .cancelled: throw StageFailure("interrupted; Slurm job \(handle.id) was cancelled")
        default: throw StageFailure("command failed: Slurm job \(handle.id): \(end.summary)")
        }
    }
}
