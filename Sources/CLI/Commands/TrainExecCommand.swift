import ArgumentParser
import Foundation
import Stages

/// `labmake train-exec`: a `train` stage's training run, as a batch job that labmake submitted (Slurm).
/// Not for people: labmake writes the command line.
struct TrainExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-exec",
        abstract: "Run a train stage's training as a job labmake submitted (internal).",
        shouldDisplay: false)

    @Option(help: "The dataset stage's folder.")
    var data: String

    @Option(help: "A JSON file with the training settings.")
    var configuration: String

    @Option(help: "The folder for the checkpoint, weights and metrics.")
    var work: String

    @Option(help: "auto, cpu, vulkan or vulkan:N.")
    var device = "auto"

    func run() throws {
        let status = TrainingJob.execute(
            data: data, configurationFile: configuration, work: work, device: device,
            print: { line in FileHandle.standardOutput.write(Data((line + "\n").utf8)) },
            log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        if status != 0 { throw LabmakeExit(status, "") }
    }
}
