import ArgumentParser
import Foundation
import NNI
import Pipeline
import SystemIO

/// `labmake log STAGE`: the output of a stage's last run; with `--trial N`, one trial's.
struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Print the output of a stage's last run, or of one of its trials.",
        discussion: """
            With --trial N, NAME is a tune or sweep stage, or an experiment of `labmake trials`: prints trial N's output \
            (trial.stdout) and the log an NNI trial writes (trial.log, where NNI's SDK sends print()).
            """)

    @Argument(help: "The stage (or, with --trial, the experiment).")
    var stage: String

    @Option(name: [.short, .long], help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    @Option(help: "A trial's number: print that trial's output and trial.log.")
    var trial: Int?

    func run() throws {
        let fs = LocalFileSystem()
        if let trial { return try printTrial(trial, fileSystem: fs) }
        let path = try PipelineLocator.path(file)
        let workspace = try PipelineLocator.workspace(for: path)
        guard let text = try? fs.readText(workspace.logPath(stage: stage)) else {
            let logged = ((try? fs.contentsOfDirectory(workspace.stateDirectory + "/logs")) ?? [])
                .filter { $0.hasSuffix(".log") }.map { String($0.dropLast(4)) }
            throw LabmakeExit(ExitStatus.invalid,
                              "error: no log for stage '\(stage)': it has not run in this workspace"
                              + (logged.isEmpty ? "" : "; logged stages: \(logged.joined(separator: ", "))"))
        }
        print(text, terminator: "")
    }

    private func printTrial(_ number: Int, fileSystem fs: LocalFileSystem) throws {
        let root = TrialsWorkspace.root(pipeline: file)
        let names = try TrialsWorkspace.database(pipeline: file).experiments().map(\.name)
        guard let experiment = TrialsWorkspace.experiment(stage, among: names) else {
            throw LabmakeExit(ExitStatus.invalid, "error: no experiment '\(stage)' in this workspace"
                              + (names.isEmpty ? "" : " (experiments: \(names.joined(separator: ", ")))"))
        }
        let work = Workspace.stateDirectoryPath(root: root) + "/work"
        let folders = ((try? fs.contentsOfDirectory(work)) ?? []).map { scratch in
            work + "/" + scratch + "/trials/" + NNITrialProtocol.experimentID(experiment) + "/" + NNITrialProtocol.trialJobID(number: number)
        }.filter { fs.stat($0)?.kind == .directory }
        guard let folder = folders.first else {
            throw LabmakeExit(ExitStatus.invalid, "error: no output kept for trial \(number) of \(experiment) "
                              + "(only command trials keep theirs, in .labmake/work/…/trials/)")
        }
        var printed = false
        for name in ["trial.stdout", NNITrialProtocol.logFile] {
            guard let text = try? fs.readText(folder + "/" + name), !text.isEmpty else { continue }
            print("==> \(folder)/\(name) <==")
            print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
            printed = true
        }
        if !printed { print("trial \(number) of \(experiment) printed nothing (\(folder))") }
    }
}
