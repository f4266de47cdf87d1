import ArgumentParser
import Datasets
import Foundation
import NN
import Training

/// `labmake train`: train one model on a CIFAR-10 style dataset, with a progress bar per epoch.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a model on a CIFAR-10 binary dataset (archive or extracted folder) or a folder of MNIST-style IDX files.",
        discussion: """
            Settings (--set NAME=VALUE): \(TrainingConfig.settings.map(\.name).joined(separator: ", ")).
            Models: \(ModelZoo.names.joined(separator: ", ")).
            With --out, a checkpoint is written after every epoch and a killed run resumes from it; the \
            weights go to model.safetensors and the metrics to metrics.json.
            Exit codes: 0 trained, 1 diverged or failed, 2 invalid arguments.
            """)

    @Option(help: "A CIFAR-10 binary archive (.tar.gz) or its extracted folder, or a folder of MNIST-style IDX files (train-images-idx3-ubyte.gz…).")
    var data: String

    @Option(help: "The model (\(ModelZoo.names.joined(separator: ", "))).")
    var model: String?

    @Option(help: "Epochs to train.")
    var epochs: Int?

    @Option(name: .customLong("set"), help: ArgumentHelp("A training setting.", valueName: "NAME=VALUE"))
    var settings: [String] = []

    @Option(help: "Compute backend: auto, cpu, reference, vulkan, vulkan:N or vulkan:NAME (see labmake devices).")
    var device = "auto"

    @Option(help: "CPU threads (default: every core).")
    var threads: Int?

    @Option(help: "Directory for the checkpoint, weights and metrics.")
    var out: String?

    @Flag(help: "Print the final metrics as JSON on standard output.")
    var json = false

    func run() throws {
        let config = try makeConfig()
        try ComputeDevice.activate(device, threads: threads, announce: true)
        let terminal = Terminal(stderr: true)
        let dataset: LocalImageDataset
        do {
            dataset = try LocalImageDataset.open(data, cache: DatasetCache(), log: { terminal.print($0) })
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        }
        if let out { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) }
        var trainer = Trainer(config: config, train: dataset.train, test: dataset.test, classes: dataset.classNames.count, directory: out)
        let bar = ProgressBar(terminal: terminal)
        trainer.onStep = { bar.update($0) }
        trainer.onEpoch = { bar.finish($0); return true }
        let result: TrainingResult
        do {
            result = try trainer.run()
        } catch let error as TrainingError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        if result.resumedEpochs > 0 { terminal.print("resumed after epoch \(result.resumedEpochs) from \(trainer.checkpointPath!)") }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print("\(result.model) (\(result.parameters) parameters): \(result.status.rawValue), test accuracy "
                  + String(format: "%.2f%%", result.finalAccuracy * 100) + " after \(result.epochs.count) epochs in "
                  + formatDuration(result.seconds))
        }
        if result.status == .diverged { throw LabmakeExit(ExitStatus.stageFailed, "error: diverged: \(result.message ?? "")") }
    }

    private func makeConfig() throws -> TrainingConfig {
        var config = TrainingConfig()
        do {
            if let model { try config.set("model", model) }
            if let epochs { try config.set("epochs", String(epochs)) }
            for setting in settings {
                guard let equals = setting.firstIndex(of: "=") else {
                    throw TrainingError("--set \(setting): expected NAME=VALUE")
                }
                try config.set(String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
            }
            _ = try ModelZoo.make(config.model)
        } catch let error as TrainingError {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        return config
    }
}

/// One line per epoch, redrawn in place on a terminal: loss, accuracy, images/s.
final class ProgressBar: @unchecked Sendable {
    let terminal: Terminal
    init(terminal: Terminal) { self.terminal = terminal }

    func update(_ p: StepProgress) {
        guard terminal.colored else { return }
        let width = 24, filled = width * p.step / Swift.max(p.steps, 1)
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        terminal.handle.write(Data(("\r\u{1B}[K" + String(format: "epoch %d/%d %@ %d/%d loss %.4f acc %.2f%% %.0f img/s",
                                                          p.epoch, p.epochs, bar, p.step, p.steps, p.loss, p.accuracy * 100,
                                                          p.imagesPerSecond)).utf8))
    }

    func finish(_ m: EpochMetrics) {
        if terminal.colored { terminal.handle.write(Data("\r\u{1B}[K".utf8)) }
        terminal.print(String(format: "epoch %d: train loss %.4f acc %.2f%% | test loss %.4f acc %.2f%% | lr %.4g | %.0f img/s | %@",
                              m.epoch, m.trainLoss, m.trainAccuracy * 100, m.testLoss, m.testAccuracy * 100, m.learningRate,
                              m.imagesPerSecond, formatDuration(m.seconds)))
    }
}
