import Compute
import ComputeCPU
import Datasets
import Foundation
import LabmakeTesting
import Testing
import Training

/// The digits dataset (../shared/datasets), extracted once into a private cache, which goes once the
/// images are in memory.
enum Digits {
    static let data: CIFAR10 = {
        let cache = NSTemporaryDirectory() + "labmake-training-tests-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        return try! CIFAR10.open(TestArchives.digits, cache: DatasetCache(root: cache))
    }()
}

func config(_ settings: [String: String]) throws -> TrainingConfig {
    var c = TrainingConfig()
    for (k, v) in settings.sorted(by: { $0.key < $1.key }) { try c.set(k, v) }
    return c
}

func temporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "labmake-train-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

@Suite("Training", .serialized)
struct TrainerTests {
    let backend: any Backend = try! CPUBackend(threads: 2)

    @Test("simple-cnn reaches 95% on the digits within 5 epochs")
    func accuracy() throws {
        // PyTorch's calibration run: SGD lr 0.05, momentum 0.9, batch 64, per-channel normalisation.
        let c = try config(["model": "simple-cnn", "epochs": "5", "initial_lr": "0.05", "momentum": "0.9", "batch_size": "64",
                            "schedule": "constant", "weight_decay": "0", "augment": "false"])
        let result = try Backends.with(backend) {
            try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10).run()
        }
        #expect(result.status == .completed)
        #expect(result.epochs.count == 5)
        #expect(result.finalAccuracy >= 0.95, "test accuracy \(result.finalAccuracy)")
    }

    @Test("the same seed gives the same loss sequence; another seed does not")
    func sameSeed() throws {
        let c = try config(["model": "mlp", "epochs": "2", "batch_size": "128", "cutout": "8", "seed": "7"])
        func losses(_ c: TrainingConfig) throws -> [Double] {
            try Backends.with(backend) {
                try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10).run().epochs.flatMap { [$0.trainLoss, $0.testLoss] }
            }
        }
        let first = try losses(c)
        #expect(first == (try losses(c)))
        var other = c
        other.seed = 8
        #expect(first != (try losses(other)))
    }

    @Test("a run stopped after epoch 2 and resumed ends with the weights of an uninterrupted run")
    func resume() throws {
        let c = try config(["model": "simple-cnn", "epochs": "3", "batch_size": "128", "optimizer": "adam", "initial_lr": "0.002",
                            "dropout": "0.2"])
        let whole = temporaryDirectory(), resumed = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: whole); try? FileManager.default.removeItem(atPath: resumed) }
        try Backends.with(backend) {
            let full = try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: whole).run()
            #expect(full.status == .completed)

            // The checkpoint is written before the epoch callback: stopping there is what a kill leaves.
            var first = Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: resumed)
            first.onEpoch = { $0.epoch < 2 }
            #expect(try first.run().status == .stopped)
            let second = try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: resumed).run()
            #expect(second.resumedEpochs == 2)
            #expect(second.epochs.map(\.testLoss) == full.epochs.map(\.testLoss))
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: whole + "/model.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: resumed + "/model.safetensors"))
        #expect(a == b, "the weights differ")
    }

    @Test("a run interrupted mid-epoch stops at that step, and resumes from the last epoch's checkpoint to the uninterrupted result")
    func interruptedMidEpoch() throws {
        let c = try config(["model": "mlp", "epochs": "2", "batch_size": "128"])
        let whole = temporaryDirectory(), cut = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: whole); try? FileManager.default.removeItem(atPath: cut) }
        try Backends.with(backend) {
            let full = try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: whole).run()
            var first = Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: cut)
            var asked = false
            first.onStep = { if $0.epoch == 2 && $0.step == 3 { asked = true } }
            first.isInterrupted = { asked }
            let stopped = try first.run()
            #expect(stopped.status == .stopped && stopped.epochs.count == 1)
            #expect(stopped.message == "interrupted at epoch 2, step 4")
            let second = try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: cut).run()
            #expect(second.resumedEpochs == 1)
            #expect(second.epochs.map(\.testLoss) == full.epochs.map(\.testLoss))
        }
    }

    @Test("a checkpoint of other settings is refused, not silently resumed")
    func foreignCheckpoint() throws {
        let directory = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var c = try config(["model": "mlp", "epochs": "1"])
        _ = try Backends.with(backend) { try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: directory).run() }
        c.initialLR = 0.5
        #expect(throws: TrainingError.self) {
            try Backends.with(backend) { try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10, directory: directory).run() }
        }
    }

    @Test("a diverging run stops with status diverged, metrics kept")
    func divergence() throws {
        let c = try config(["model": "mlp", "epochs": "3", "initial_lr": "1e12", "schedule": "constant", "momentum": "0"])
        let result = try Backends.with(backend) { try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10).run() }
        #expect(result.status == .diverged)
        #expect(result.message?.contains("the loss became") == true || result.message?.contains("test loss") == true)
    }

    @Test("safetensors round-trips, and a truncated file is named as such")
    func safetensors() throws {
        let entries = ["w": SafeTensors.Entry(shape: [2, 2], values: [1, -2, 3.5, .pi]), "b": SafeTensors.Entry(shape: [1], values: [0])]
        let data = try SafeTensors.encode(entries, metadata: ["epoch": "3"])
        let decoded = try SafeTensors.decode(data, path: "x.safetensors")
        #expect(decoded.tensors == entries)
        #expect(decoded.metadata == ["epoch": "3"])
        #expect(throws: TrainingError.self) { try SafeTensors.decode(data.prefix(data.count - 4), path: "x.safetensors") }
    }
}
