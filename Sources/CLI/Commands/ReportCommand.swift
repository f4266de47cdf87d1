import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `labmake report`: renders the pipeline's report stage again from what earlier runs wrote, without
/// running anything else (for work on templates).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the lab report again from the stages' outputs, without running anything else.",
        discussion: """
            Runs the pipeline's report stage (or --stage) directly: its templates are read afresh, and the \
            Markdown and charts are written to its output folder. The next `labmake run` sees the report \
            changed and renders it once more from the pipeline's own templates.
            """)

    @Argument(help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    @Option(help: "The report stage to render (default: the pipeline's only report stage).")
    var stage: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a parameter (NAME=VALUE) or a stage option (STAGE.KEY=VALUE).", valueName: "K=V"))
    var overrides: [String] = []

    func run() throws {
        let path = try PipelineLocator.path(file)
        let pipeline = try PipelineLocator.load(path, overrides: overrides)
        let reports = pipeline.stages.filter { $0.kind == ReportStage().name }
        let chosen: StageDefinition
        if let stage {
            guard let found = pipeline.stages.first(where: { $0.name == stage }), found.kind == ReportStage().name else {
                throw LabmakeExit(ExitStatus.invalid, "error: no report stage named '\(stage)'"
                                  + (reports.isEmpty ? "" : " (report stages: \(reports.map(\.name).joined(separator: ", ")))"))
            }
            chosen = found
        } else {
            guard reports.count == 1 else {
                throw LabmakeExit(ExitStatus.invalid, reports.isEmpty ? "error: the pipeline has no report stage"
                                  : "error: the pipeline has \(reports.count) report stages; name one with --stage")
            }
            chosen = reports[0]
        }
        let workspace = try PipelineLocator.workspace(for: path)
        let records = (try? workspace.database.records()) ?? [:]
        let terminal = Terminal(stderr: true)
        let context = StageContext(
            workspaceRoot: workspace.root, settings: pipeline.settings, launcher: workspace.launcher, fileSystem: workspace.fileSystem,
            output: { terminal.print($0) }, isCancelled: { false },
            pipeline: PipelineView(graph: pipeline.graph, statuses: records.mapValues { _ in .cached }, records: records),
            scratchDirectory: workspace.scratchDirectory(for: chosen.name), database: workspace.database,
            inputDigest: records[chosen.name].map { StageFingerprint.inputDigest(deps: $0.deps, inputs: $0.inputs) } ?? "")
        do {
            try ReportStage().run(chosen, context: context)
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(chosen.name): \(error)")
        }
    }
}
