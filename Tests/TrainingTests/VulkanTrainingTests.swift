import Compute
import ComputeCPU
import ComputeVulkan
import Datasets
import Foundation
import NN
import Randomness
import Testing
import Training

/// The best Vulkan device (lavapipe in CI) with the validation layer on, or why there is none.
enum VulkanTrainingDevice {
    static let backend: Result<VulkanBackend, VulkanError> = {
        setenv("LABMAKE_VULKAN_VALIDATION", "1", 1)
        return Result { () throws(VulkanError) -> VulkanBackend in
            guard let device = VulkanDevices.best(among: try VulkanDevices.list(), gpuOnly: false) else {
                throw VulkanError("the Vulkan loader lists no device")
            }
            return try VulkanDevices.backend(device.index)
        }
    }()
    static var available: Bool { (try? backend.get()) != nil }
}

@Suite("Training on the Vulkan backend", .enabled(if: VulkanTrainingDevice.available, "needs a Vulkan device (lavapipe: mesa-vulkan-drivers)"))
struct VulkanTrainingTests {
    /// Losses of `steps` SGD steps of resnet20 on a fixed batch, on `backend`.
    static func losses(on backend: any Backend, steps: Int) throws -> [Float] {
        let model = try ModelZoo.make("resnet20")
        var state = model.initialState(seed: 7)
        var random = SplitMix64(seed: 3)
        let images = Tensor((0..<(16 * 3 * 32 * 32)).map { _ in Float.random(in: -1...1, using: &random) }, shape: [16, 3, 32, 32])
        let labels = Tensor((0..<16).map { Float($0 % 10) }, shape: [16])
        var optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)
        var losses: [Float] = []
        try Backends.with(backend) {
            for _ in 0..<steps {
                var buffers = state.buffers
                let (loss, gradients) = try valueAndGradient(of: { p in
                    let out = try model.logits(images, parameters: p, buffers: state.buffers, training: true, random: SplitMix64(seed: 1))
                    buffers = out.buffers
                    return try out.logits.crossEntropy(labels: labels)
                }, at: state.parameters)
                Tensor.prepareToRead([loss] + gradients.values + buffers.values)
                losses.append(loss.scalar)
                try optimizer.step(&state.parameters, gradients: gradients, lr: 0.05)
                state.buffers = buffers
            }
        }
        return losses
    }

    @Test("each optimizer's first steps on Vulkan match torch.optim: a fused dispatch per state tensor and parameter, one barrier, nothing uploaded",
          arguments: optimizerCases)
    func optimizerSteps(_ c: OptimizerCase) throws {
        let vulkan = try VulkanBackend(device: try VulkanTrainingDevice.backend.get().info.index)
        let errors = VulkanValidation.errorMessages.count
        var optimizer = c.optimizer
        let gradients: [[Float]] = [[0.1, 0.2, -0.3], [-0.4, 0.05, 0.2], [0.3, -0.1, 0.1]]
        try Backends.with(vulkan) {
            var parameters = ["p": Tensor([1, -2, 0.5], shape: [3]), "q": Tensor([3, 1], shape: [2])]
            let uploaded = gradients.map { g in ["p": Tensor(g, shape: [3]), "q": Tensor(Array(g.prefix(2)), shape: [2])] }
            // Parameters and gradients on the device before the steps (a tensor keeps its device copy).
            let scale = try GradientClipping.factor(uploaded[2], maxNorm: 10).factor!
            for tensor in uploaded.flatMap(\.values) + parameters.values + [scale] { _ = try tensor + Tensor.constant(0) }
            try vulkan.synchronize()
            for (step, g) in uploaded.enumerated() {
                let before = vulkan.traffic!
                // The third step scales its gradients by 1 (clipping's factor when the norm is below the limit): it
                // takes the same dispatches, the factor read in the update's kernels.
                try optimizer.step(&parameters, gradients: g, lr: c.lr, gradientScale: step == 2 ? scale : nil)
                let traffic = vulkan.traffic! - before
                // Per parameter: the parameter and each state tensor that has a previous value or a new term (SGD
                // without momentum: 1; with momentum: 1 at the first step, where the buffer is the gradient, 2 after;
                // with weight decay also 2 at the first; Adam: 3; RMSprop: 2, or 3 with momentum).
                #expect(traffic.dispatches == 2 * Self.fusedOps(c.optimizer, firstStep: step == 0), "\(c.name), step \(step + 1): \(traffic)")
                #expect(traffic.bytesToDevice == 0, "\(c.name), step \(step + 1): \(traffic.bytesToDevice) bytes uploaded")
                // Every op of a step reads only what the step began with: one barrier (after the last step's writes), then side by side.
                #expect(traffic.barriers == 1, "\(c.name), step \(step + 1): \(traffic.barriers) barriers")
                let p = parameters["p"]!.values
                for (got, want) in zip(p, c.expected[step]) {
                    #expect(abs(got - want) <= 2e-6, "\(c.name), step \(step + 1): \(p) vs \(c.expected[step])")
                }
            }
        }
        #expect(VulkanValidation.errorMessages.count == errors, "\(VulkanValidation.errorMessages.dropFirst(errors))")
    }

    /// Dispatches of one parameter's step.
    static func fusedOps(_ optimizer: any Optimizer, firstStep: Bool) -> Int {
        switch optimizer {
        case let sgd as SGD: sgd.momentum == 0 ? 1 : firstStep && sgd.weightDecay == 0 ? 1 : 2
        case is Adam: 3
        case let rmsprop as RMSprop: rmsprop.momentum > 0 ? 3 : 2
        default: 0
        }
    }

    @Test("an epoch on Vulkan waits for the device once for its steps and once for its evaluation, however many batches")
    func waitsPerEpoch() throws {
        let vulkan = try VulkanBackend(device: try VulkanTrainingDevice.backend.get().info.index)
        let c = try config(["model": "mlp", "epochs": "1", "batch_size": "32", "train_subset": "96", "validation": "600",
                            "augment": "false"])
        let trainer = Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10)
        let before = vulkan.traffic!
        let result = try Backends.with(vulkan) { try trainer.run() }
        let traffic = vulkan.traffic! - before
        // Three steps (read together at the end of the epoch) and three evaluation batches of up to 256 images.
        #expect(result.status == .completed)
        #expect(traffic.waits == 2, "the host waited \(traffic.waits) times")
        #expect(traffic.submissions >= 6, "\(traffic.submissions) submissions: one a step, one an evaluation batch")
    }

    @Test("a diverging run on Vulkan stops at the first non-finite loss it reads, naming that step")
    func divergenceWithDeferredReads() throws {
        let vulkan = try VulkanBackend(device: try VulkanTrainingDevice.backend.get().info.index)
        let c = try config(["model": "mlp", "epochs": "1", "batch_size": "16", "train_subset": "160", "validation": "16",
                            "initial_lr": "1e12", "schedule": "constant", "momentum": "0", "augment": "false"])
        var trainer = Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10)
        trainer.readEvery = 4
        var reported: [Int] = []
        trainer.onStep = { reported.append($0.step) }
        let result = try Backends.with(vulkan) { try trainer.run() }
        #expect(result.status == .diverged)
        let failed = (reported.last ?? 0) + 1
        #expect(result.message?.contains("step \(failed) ") == true, "\(result.message ?? "no message"); steps reported: \(reported)")
        #expect(failed < 10, "the loss of a learning rate of 1e12 is not finite within a few steps: \(reported)")
    }

    @Test("a few steps of resnet20 follow the CPU backend's losses, one submission per step, no validation error")
    func resnet20Steps() throws {
        // A backend of its own, so that other suites' work on the shared one does not count.
        let vulkan = try VulkanBackend(device: try VulkanTrainingDevice.backend.get().info.index)
        let errors = VulkanValidation.errorMessages.count
        let expected = try Self.losses(on: try CPUBackend(threads: 2), steps: 4)
        let submissions = vulkan.submissions
        let got = try Self.losses(on: vulkan, steps: 4)
        #expect(vulkan.submissions - submissions == 4)
        // The first loss is the same function of the same numbers; each SGD step after it carries the backends' rounding
        // differences forward (1.5e-3 relative by step 4 against oneDNN's AVX-512 kernels), so later steps get more room.
        for (step, (g, e)) in zip(got, expected).enumerated() {
            let tolerance: Float = step == 0 ? 1e-3 : 5e-3
            #expect(abs(g - e) <= tolerance * max(1, abs(e)), "step \(step + 1): loss \(g) on Vulkan, \(e) on the CPU")
        }
        #expect(expected.last! < expected.first!, "the loss goes down: \(expected)")
        #expect(VulkanDevices.validationEnabled)
        #expect(VulkanValidation.errorMessages.count == errors, "\(VulkanValidation.errorMessages.dropFirst(errors))")
    }

    @Test("training steps on Vulkan upload their batch and labels alone, are one submission each, and are read together: one wait, 8 bytes a step")
    func transfersPerStep() throws {
        let vulkan = try VulkanBackend(device: try VulkanTrainingDevice.backend.get().info.index)
        let errors = VulkanValidation.errorMessages.count
        let c = try config(["model": "resnet20", "epochs": "1", "batch_size": "16", "train_subset": "96", "validation": "16",
                            "optimizer": "sgd", "momentum": "0.9", "weight_decay": "5e-4", "grad_clip": "1", "augment": "false",
                            "schedule": "cosine"])
        var trainer = Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10)
        trainer.readEvery = 3
        var marks: [(step: Int, traffic: BackendTraffic, memory: Int)] = []
        trainer.onStep = { progress in marks.append((progress.step, vulkan.traffic!, vulkan.allocatedBytes)) }
        let before = vulkan.traffic!
        let onVulkan = try Backends.with(vulkan) { try trainer.run() }
        // Two reads of three steps, and the evaluation (one batch here) read once at its end.
        #expect((vulkan.traffic! - before).waits == 3, "the host waited \((vulkan.traffic! - before).waits) times in the run")
        let onCPU = try Backends.with(try CPUBackend(threads: 2)) {
            try Trainer(config: c, train: Digits.data.train, test: Digits.data.test, classes: 10).run()
        }
        // Six steps, reported in two reads of three: steps 1–3 after the third was recorded, 4–6 after the sixth.
        #expect(marks.map(\.step) == [1, 2, 3, 4, 5, 6])
        for (a, b) in [(0, 2), (3, 5)] {
            let between = marks[b].traffic - marks[a].traffic
            #expect(between.submissions == 0 && between.waits == 0 && between.dispatches == 0, "a read reports its steps at once: \(between)")
        }
        // Steps 4–6 (the first step uploads the initial weights and the constants).
        let traffic = marks[5].traffic - marks[2].traffic
        let batchBytes = 16 * 3 * 32 * 32 * 4, labelBytes = 16 * 4
        let (up, down) = (traffic.bytesToDevice, traffic.bytesToHost)
        // The learning rate, which the cosine schedule changes every step, travels in the optimizer's push constants.
        #expect(up == 3 * (batchBytes + labelBytes), "\(up) bytes to the device in three steps")
        #expect(down == 3 * 8, "\(down) bytes to the host in three steps")
        #expect(traffic.submissions == 3, "\(traffic.submissions) submissions in three steps")
        // Independent dispatches share a barrier: the optimizer's updates, the clipping's squares, sums and scalings.
        #expect(traffic.barriers * 2 < traffic.dispatches, "\(traffic.barriers) barriers for \(traffic.dispatches) dispatches in three steps")
        #expect(traffic.waits == 1, "the host waited \(traffic.waits) times in three steps")
        // Buffers and staging blocks are reused from step to step: steps 4–6 allocate nothing new.
        #expect(marks[5].memory == marks[2].memory, "device memory grew from \(marks[2].memory) to \(marks[5].memory) bytes")
        let (v, p) = (onVulkan.epochs[0], onCPU.epochs[0])
        #expect(abs(v.trainLoss - p.trainLoss) <= 1e-2 * max(1, abs(p.trainLoss)), "train loss \(v.trainLoss) on Vulkan, \(p.trainLoss) on the CPU")
        #expect(abs(v.trainAccuracy - p.trainAccuracy) <= 2.0 / 96, "train accuracy \(v.trainAccuracy) on Vulkan, \(p.trainAccuracy) on the CPU")
        #expect(abs(v.testLoss - p.testLoss) <= 2e-2 * max(1, abs(p.testLoss)), "test loss \(v.testLoss) on Vulkan, \(p.testLoss) on the CPU")
        #expect(VulkanValidation.errorMessages.count == errors, "\(VulkanValidation.errorMessages.dropFirst(errors))")
    }
}
