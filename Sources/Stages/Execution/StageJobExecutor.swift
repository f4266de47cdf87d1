import Crypto
import Executors
import Foundation
import Pipeline
import SystemIO

/// The executor a stage's trials and commands run on: this machine's processes, or Slurm batch jobs as
/// its `executor:` (or the pipeline's) says.
///
/// Every Slurm job of a stage carries the same job name, `lm-` and 8 hex digits of the workspace and
/// the stage, so that one `squeue -n` lists them all; its comment is `labmake:WORKSPACE8:STAGE:KEY`, the
/// key saying what the job computes (a trial's key), so that a later run re-attaches to it.
enum StageJobExecutor {
    /// - Parameter detaching: whether a Slurm job outlives labmake's interruption (a trial, which a rerun
    ///   re-attaches to) rather than being cancelled by whoever watches it.
    static func make(for stage: StageDefinition, context: StageContext, detaching: Bool = true) -> any JobExecutor {
        let setting = context.settings.executor(for: stage)
        guard setting.isSlurm else { return LocalJobExecutor(launcher: context.launcher) }
        let isCancelled = context.isCancelled
        let isDetaching: @Sendable () -> Bool
        if detaching { isDetaching = isCancelled } else { isDetaching = { false } }
        return SlurmJobExecutor(
            controller: SlurmCommands(launcher: context.launcher), options: options(setting),
            jobName: jobName(workspaceRoot: context.workspaceRoot, stage: stage.name),
            commentPrefix: commentPrefix(workspaceRoot: context.workspaceRoot, stage: stage.name),
            fileSystem: context.fileSystem, isDetaching: isDetaching, log: context.output)
    }

    /// The sbatch options of a setting (its values were checked when the pipeline was read).
    static func options(_ setting: ExecutorSetting) -> SlurmOptions {
        func text(_ key: String) -> String? {
            switch setting.slurm[key] {
            case .string(let s)?: s
            case .int(let i)?: String(i)
            default: nil
            }
        }
        var options = SlurmOptions(partition: text("partition"), account: text("account"), qos: text("qos"), time: text("time"),
                                   memory: text("memory"), gpus: text("gpus"), gres: text("gres"))
        if case .int(let cpus)? = setting.slurm["cpus"] { options.cpus = cpus }
        if case .array(let flags)? = setting.slurm["flags"] { options.flags = flags.map(\.interpolated) }
        switch setting.slurm["poll_interval"] {
        case .double(let seconds)?: options.pollInterval = seconds
        case .int(let seconds)?: options.pollInterval = Double(seconds)
        default: break
        }
        return options
    }

    /// The job name of every Slurm job of `stage` in the workspace at `workspaceRoot`.
    static func jobName(workspaceRoot: String, stage: String) -> String {
        "lm-" + digest8(workspaceRoot + "\n" + stage)
    }

    /// The start of the comment of every Slurm job of `stage`, or of the whole workspace without one.
    static func commentPrefix(workspaceRoot: String, stage: String? = nil) -> String {
        "labmake:" + digest8(workspaceRoot) + ":" + (stage.map { $0.replacingOccurrences(of: " ", with: "_") + ":" } ?? "")
    }

    private static func digest8(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).prefix(4).map { String(format: "%02x", $0) }.joined()
    }
}
