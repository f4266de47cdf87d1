import ArgumentParser
import Foundation
import Pipeline
import Stages
import SystemIO

/// `labmake cancel [STAGE]`: cancels the Slurm jobs that a run of this workspace submitted.
struct CancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Cancel the Slurm jobs of a stage, or of the whole pipeline.",
        discussion: """
            Trials and stages under `executor: slurm` run as batch jobs that outlive labmake: Ctrl-C, a closed \
            terminal or a killed labmake leave them running, and the next `labmake run` re-attaches to them. This \
            cancels them instead (scancel), pending or running; the next run submits what it still needs.
            """)

    @Argument(help: "The stage whose jobs to cancel (default: every stage's).")
    var stage: String?

    @Option(name: [.customShort("f"), .customLong("pipeline")], help: "The pipeline file (default: labmake.yaml).")
    var pipeline: String?

    func run() throws {
        let path = try PipelineLocator.path(pipeline)
        let definition = try PipelineLocator.load(path)
        if let stage, !definition.stages.contains(where: { $0.name == stage }) {
            let names = definition.stages.map(\.name)
            throw LabmakeExit(ExitStatus.invalid, "error: no stage '\(stage)' in \(path)"
                              + (NearestName.hint(stage, among: names).map { " (\($0))" } ?? ""))
        }
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let jobs = WorkspaceSlurmJobs(workspaceRoot: root)
        let cancelled: [WorkspaceSlurmJobs.Job]
        do {
            cancelled = try jobs.cancel(stage: stage)
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        }
        let scope = stage.map { "stage '\($0)'" } ?? "this pipeline"
        guard !cancelled.isEmpty else {
            print("no Slurm job of \(scope) is pending or running")
            return
        }
        for job in cancelled {
            print("cancelled Slurm job \(job.id) (\(job.state.lowercased())) of stage \(job.stage)")
        }
    }
}
