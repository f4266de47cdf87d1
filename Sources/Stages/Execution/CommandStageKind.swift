import Pipeline

/// The `cmd` kind as labmake registers it: ``CommandStage`` on this machine, or, under a Slurm
/// executor, its command as one batch job (``StageBatchJob``) in the stage's scratch folder, its output
/// shown as it comes.
struct CommandStageKind: StageKind {
    private let local = CommandStage()
    var name: String { local.name }
    var version: String { local.version }

    func run(_ stage: StageDefinition, context: StageContext) throws {
        guard context.settings.executor(for: stage).isSlurm else { return try local.run(stage, context: context) }
        let request = try CommandStage.prepare(stage, context: context)
        _ = try StageBatchJob(stage: stage, context: context).run(request, key: "stage", what: "command")
    }
}
