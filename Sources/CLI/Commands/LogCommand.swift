import ArgumentParser
import SystemIO
import Foundation
import Pipeline

/// `labmake log STAGE`: the output of a stage's last run.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print the output of a stage's last run.")

    @Argument(help: "The stage.")
    var stage: String

    @Option(name: [.short, .long], help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    func run() throws {
        let path = try PipelineLocator.path(file)
        let workspace = try PipelineLocator.workspace(for: path)
        let fs = LocalFileSystem()
        guard let text = try? fs.readText(workspace.logPath(stage: stage)) else {
            let logged = ((try? fs.contentsOfDirectory(workspace.stateDirectory + "/logs")) ?? [])
                .filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }
            throw LabmakeExit(ExitStatus.invalid,
                              "error: no log for stage '\(stage)': it has not run in this workspace"
                              + (logged.isEmpty ? "" : "; logged stages: \(logged.joined(separator: ", "))"))
        }
        print(text, terminator: "")
    }
}
