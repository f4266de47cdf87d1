import Compute
import Datasets
import Foundation
import SystemIO
import NN
import Randomness

/// Trains a model on labelled images: epochs of shuffled, augmented batches, evaluation after each,
/// checkpoints that let a killed run resume where it stopped, and divergence caught as a status.
public struct Trainer {
    public var config: TrainingConfig
    public var train: LabeledImages
    public var test: LabeledImages
    public var classes: Int
    /// Where `checkpoint.safetensors`, `model.safetensors` and `metrics.json` go (nil: nowhere).
    public var directory: String?
    /// Called after each epoch; return false to stop (early stopping).
    public var onEpoch: (EpochMetrics) -> Bool = { _ in true }
    /// Called after each step: (epoch, step, steps in the epoch, running loss, running accuracy, images/s).
    public var onStep: (StepProgress) -> Void = { _ in }
    /// Polled before each step: true stops training there (status `.stopped`; the last epoch's
    /// checkpoint stays for a resume).
    public var isInterrupted: () -> Bool = { false }
    /// Steps whose losses and correct counts the host reads at once (and reports to `onStep`, and checks
    /// for divergence); nil: every step on a backend that computes on the host, every
    /// ``deviceReadInterval`` steps on a device, which then runs each step while the host records the next
    /// and waits for it only at those reads.
    public var readEvery: Int?
    /// The default ``readEvery`` on a device.
    public static let deviceReadInterval = 10

    /// Where checkpoints, weights and metrics are written and read.
    public var fileSystem: any FileSystem
    /// What epochs and runs are timed by.
    public var clock: any Clock

    public init(config: TrainingConfig, train: LabeledImages, test: LabeledImages, classes: Int, directory: String? = nil,
                fileSystem: any FileSystem = LocalFileSystem(), clock: any Clock = SystemClock()) {
        self.fileSystem = fileSystem
        self.clock = clock
        self.config = config
        self.train = train
        self.test = test
        self.classes = classes
        self.directory = directory
    }

    public var checkpointPath: String? { directory.map { $0 + "/checkpoint.safetensors" } }

    /// Runs the remaining epochs (all of them, or those after a matching checkpoint).
    public func run() throws -> TrainingResult {
        let started = clock.now()
        let model = try ModelZoo.make(config.model, config.modelRequest(images: train.shape, classes: classes))
        let (trainIndices, evaluation) = try splits()
        var state = model.initialState(seed: config.seed)
        var optimizer = try Optimizers.make(config)
        var history: [EpochMetrics] = []
        var resumed = 0
        if let path = checkpointPath, fileSystem.exists(path) {
            let checkpoint = try Checkpoint.read(from: path, fileSystem: fileSystem)
            guard checkpoint.configuration == config else {
                throw TrainingError("\(path) belongs to a run with other settings; remove it (or use another --out) to start afresh")
            }
            state.parameters = checkpoint.parameters
            state.buffers = checkpoint.buffers
            optimizer.stateValues = checkpoint.optimizerState
            history = checkpoint.history
            resumed = checkpoint.epoch
        }
        let stats = config.normalize == false ? Augmentation.unnormalised(channels: train.shape.channels)
            : Augmentation.statistics(of: train, indices: trainIndices)
        let augmentation = Augmentation(mean: stats.mean, std: stats.std, cropAndFlip: config.augment, cutout: config.cutout)
        let stepsPerEpoch = (trainIndices.count + config.batchSize - 1) / config.batchSize
        let schedule = LearningRateSchedule(config, stepsPerEpoch: stepsPerEpoch)
        let root = SplitMix64(seed: config.seed)
        let countCorrect = CorrectCount(classes: classes)
        var status = TrainingResult.Status.completed
        var message: String?
        let backend = Backends.current
        let interval = Swift.max(readEvery ?? (backend.traffic == nil ? 1 : Self.deviceReadInterval), 1)

        epochs: for epoch in (resumed + 1)...Swift.max(config.epochs, resumed + 1) where epoch <= config.epochs {
            let epochStart = clock.now()
            let loader = BatchLoader(images: train, indices: trainIndices, batchSize: config.batchSize, augmentation: augmentation,
                                     training: true, random: root.derived(UInt64(epoch)))
            defer { loader.cancel() }
            var (lossSum, correct, seen) = (0.0, 0, 0)
            var step = 0, lr: Float = 0
            // Steps recorded whose loss and correct count the host has not read yet.
            var unread: [(loss: Tensor, correct: Tensor, images: Int, step: Int, lr: Float)] = []
            /// Reads the unread steps into the epoch's sums and reports them; a non-finite loss is the message.
            func readSteps() -> String? {
                defer { unread.removeAll() }
                for s in unread {
                    let value = s.loss.scalar
                    guard value.isFinite else {
                        return "the loss became \(value) at epoch \(epoch), step \(s.step) (learning rate \(s.lr))"
                    }
                    lossSum += Double(value) * Double(s.images)
                    correct += Int(s.correct.scalar)
                    seen += s.images
                    let elapsed = clock.now() - epochStart
                    onStep(StepProgress(epoch: epoch, epochs: config.epochs, step: s.step, steps: stepsPerEpoch, loss: lossSum / Double(seen),
                                        accuracy: Double(correct) / Double(seen), imagesPerSecond: Double(seen) / Swift.max(elapsed, 1e-9)))
                }
                return nil
            }
            while let batch = loader.next() {
                if isInterrupted() {
                    if let diverged = readSteps() {
                        (status, message) = (.diverged, diverged)
                    } else {
                        status = .stopped
                        message = "interrupted at epoch \(epoch), step \(step + 1)"
                    }
                    break epochs
                }
                let t = (epoch - 1) * stepsPerEpoch + step
                lr = schedule.rate(atStep: t)
                var buffers = state.buffers
                var logits = Tensor(0)
                let dropoutRandom = root.derived(UInt64(epoch) << 32 | UInt64(step))
                let (loss, gradients) = try valueAndGradient(of: { p in
                    let out = try model.logits(batch.images, parameters: p, buffers: state.buffers, training: true, random: dropoutRandom)
                    buffers = out.buffers
                    logits = out.logits.detached
                    return try out.logits.crossEntropy(labels: batch.labels, labelSmoothing: config.labelSmoothing)
                }, at: state.parameters)
                // Clipping's factor scales each gradient in the optimizer's kernels that read it.
                let gradientScale = config.gradClip > 0 ? try GradientClipping.factor(gradients, maxNorm: config.gradClip).factor : nil
                // The host reads two numbers a step, every `interval` steps at once; gradients, weights, buffers and
                // the optimizer's state stay where the backend computed them.
                let correctCount = try countCorrect(logits, labels: batch.labels)
                try optimizer.step(&state.parameters, gradients: gradients, lr: lr, gradientScale: gradientScale)
                state.buffers = buffers
                step += 1
                unread.append((loss: loss, correct: correctCount, images: batch.count, step: step, lr: lr))
                // Copies of the unread numbers go with this step's work: one submission, then one wait.
                if unread.count >= interval { Tensor.prepareToRead(unread.flatMap { [$0.loss, $0.correct] }) }
                try backend.commit()
                if unread.count >= interval, let diverged = readSteps() {
                    (status, message) = (.diverged, diverged)
                    break epochs
                }
            }
            if let diverged = readSteps() {
                (status, message) = (.diverged, diverged)
                break epochs
            }
            let trainSeconds = clock.now() - epochStart
            let (testLoss, testAccuracy) = try evaluate(model, state, images: evaluation.images, indices: evaluation.indices,
                                                        augmentation: augmentation)
            let metrics = EpochMetrics(epoch: epoch, trainLoss: lossSum / Double(Swift.max(seen, 1)),
                                       trainAccuracy: Double(correct) / Double(Swift.max(seen, 1)), testLoss: testLoss,
                                       testAccuracy: testAccuracy, learningRate: Double(lr),
                                       seconds: clock.now() - epochStart, imagesPerSecond: Double(seen) / Swift.max(trainSeconds, 1e-9))
            history.append(metrics)
            if let path = checkpointPath {
                try Checkpoint(parameters: state.parameters, buffers: state.buffers, optimizerState: optimizer.stateValues, epoch: epoch,
                               history: history, configuration: config, randomState: root.state).write(to: path, fileSystem: fileSystem)
            }
            if !testLoss.isFinite {
                status = .diverged
                message = "the test loss became \(testLoss) at epoch \(epoch)"
                break
            }
            if !onEpoch(metrics) && epoch < config.epochs {
                status = .stopped
                message = "stopped after epoch \(epoch) by the epoch callback"
                break
            }
        }
        let result = TrainingResult(status: status, model: model.name, parameters: model.parameterCount, config: config.summary,
                                    epochs: history, finalAccuracy: history.last?.testAccuracy ?? 0,
                                    bestAccuracy: history.map(\.testAccuracy).max() ?? 0, seconds: clock.now() - started,
                                    resumedEpochs: resumed, message: message)
        if let directory { try save(result, state, to: directory) }
        return result
    }

    /// (training indices, the evaluation images and indices): the test set, or a held-out validation split.
    private func splits() throws -> ([Int], (images: LabeledImages, indices: [Int])) {
        guard train.count > 0 else { throw TrainingError("the training set is empty") }
        if config.validation > 0 || config.trainSubset != nil {
            guard config.validation < train.count else {
                throw TrainingError("validation=\(config.validation) holds out the whole training set (\(train.count) images)")
            }
            let (t, v) = DatasetSplit.split(labels: train.labels, trainSubset: config.trainSubset, validation: config.validation,
                                            seed: config.seed)
            if config.validation > 0 { return (t, (images: train, indices: v)) }
            return (t, (images: test, indices: Array(0..<test.count)))
        }
        guard test.count > 0 else { throw TrainingError("the test set is empty") }
        return (Array(0..<train.count), (images: test, indices: Array(0..<test.count)))
    }

    /// Mean loss and accuracy in evaluation mode (running statistics, no dropout, no augmentation).
    func evaluate(_ model: Model, _ state: ModelState, images: LabeledImages, indices: [Int],
                  augmentation: Augmentation) throws -> (loss: Double, accuracy: Double) {
        let loader = BatchLoader(images: images, indices: indices, batchSize: Swift.max(config.batchSize, 256),
                                 augmentation: augmentation, training: false, random: nil)
        defer { loader.cancel() }
        let countCorrect = CorrectCount(classes: classes)
        let backend = Backends.current
        // Each batch's loss and correct count, read once every batch has been handed to the backend (a device
        // computes one batch while the host records the next, and the host waits once).
        var unread: [(loss: Tensor, correct: Tensor, images: Int)] = []
        while let batch = loader.next() {
            let logits = try model.logits(batch.images, parameters: state.parameters, buffers: state.buffers, training: false,
                                          random: SplitMix64(seed: 0)).logits
            unread.append((try logits.crossEntropy(labels: batch.labels), try countCorrect(logits, labels: batch.labels), batch.count))
            try backend.commit()
        }
        Tensor.prepareToRead(unread.flatMap { [$0.loss, $0.correct] })
        var (lossSum, correct, seen) = (0.0, 0, 0)
        for batch in unread {
            lossSum += Double(batch.loss.scalar) * Double(batch.images)
            correct += Int(batch.correct.scalar)
            seen += batch.images
        }
        return (lossSum / Double(Swift.max(seen, 1)), Double(correct) / Double(Swift.max(seen, 1)))
    }

    /// `model.safetensors` (PyTorch's state_dict names) and `metrics.json`.
    private func save(_ result: TrainingResult, _ state: ModelState, to directory: String) throws {
        var weights: [String: SafeTensors.Entry] = [:]
        for (name, t) in state.parameters { weights[name] = .init(shape: t.shape.dims, values: t.values) }
        for (name, t) in state.buffers { weights[name] = .init(shape: t.shape.dims, values: t.values) }
        try fileSystem.writeFile(directory + "/model.safetensors", Array(try SafeTensors.encode(weights, metadata: ["model": result.model])))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try fileSystem.writeFile(directory + "/metrics.json", Array(try encoder.encode(result)))
    }
}

/// Progress within an epoch, for progress bars.
public struct StepProgress: Sendable {
    public var epoch: Int, epochs: Int, step: Int, steps: Int
    public var loss: Double, accuracy: Double, imagesPerSecond: Double
}
