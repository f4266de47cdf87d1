import SystemIO

/// The `cmd` kind: a shell command, run with `/bin/sh -c` in the workspace root, like a make rule.
///
/// The command sees its parameters as `LABMAKE_PARAM_<NAME>` environment variables as well as
/// interpolated `${params.NAME}`, and `LABMAKE_STAGE` names the stage.
public struct CommandStage: StageKind {
    public let name = StageDefinition.commandKind
    public let version = "1"

    public init() {}

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        let request = try Self.prepare(stage, context: context)
        let outcome = context.launcher.run(request, output: context.output)
        guard outcome.succeeded else { throw StageFailure("command failed: \(outcome.summary)") }
    }

    /// Creates the parent folders of the stage's outputs, as DVC does, and returns what to run: the
    /// command in the workspace root, with its parameters and `LABMAKE_STAGE` in its environment.
    public static func prepare(_ stage: StageDefinition, context: StageContext) throws -> ProcessRequest {
        guard let command = stage.command else { throw StageFailure("stage has no command") }
        guard !context.isCancelled() else { throw StageFailure("interrupted") }
        for out in stage.outs {
            let path = context.workspaceRoot + "/" + PathRules.normalized(out)
            if let slash = path.lastIndex(of: "/") { try context.fileSystem.createDirectory(String(path[..<slash])) }
        }
        var environment = ["LABMAKE_STAGE": stage.name]
        for (name, value) in stage.params { environment["LABMAKE_PARAM_" + name.uppercased()] = value.interpolated }
        return ProcessRequest(command: command, workingDirectory: context.workspaceRoot, environment: environment)
    }
}
