import ArgumentParser
import Foundation
import Stages

/// `labmake trial-exec`: one built-in training trial, as a batch job that labmake submitted (Slurm).
/// Not for people: labmake writes the command line and the environment it reads.
struct TrialExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trial-exec",
        abstract: "Run one built-in training trial as a job labmake submitted (internal).",
        shouldDisplay: false)

    @Option(help: "The dataset stage's folder.")
    var data: String

    @Option(help: "A JSON file with the settings under the trial's parameters.")
    var baseline: String

    @Option(help: "auto, cpu, vulkan or vulkan:N.")
    var device = "auto"

    func run() throws {
        let status = BuiltInTrialJob.run(
            data: data, baselineFile: baseline, device: device,
            print: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
            log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        if status != 0 { throw LabmakeExit(status, "") }
    }
}
