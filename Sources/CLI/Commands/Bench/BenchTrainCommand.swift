import ArgumentParser
import Compute
import ComputeVulkan
import Foundation
import NN
import Pipeline
import Randomness
import Training

/// `labmake bench train`: training and inference speed of one model on random data.
struct BenchTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Measure training and inference images/s of a model on random data.",
        discussion: """
            A training step is forward, backward and an SGD update (lr 0.05, momentum 0.9, weight decay 5e-4; \
            with --grad-clip, of the clipped gradients), \
            as ../shared/bench/train/bench_torch.py times PyTorch. Figures are medians over the timed steps; on \
            a GPU, where a step is submitted without waiting and the loss read every \(Trainer.deviceReadInterval) steps \
            as in training, the training figure is the timed steps' total over their number. \
            Peak memory is the process's maximum resident set size. On a GPU it also prints what a training \
            step costs between the host and the device: dispatches, barriers between them, submissions, waits \
            for the device and bytes each way.
            """)

    @Option(help: "The model (\(ModelZoo.names.joined(separator: ", "))).")
    var model = "resnet20"

    @Option(help: "Batch size.")
    var batch = 128

    @Option(help: "Compute backend: auto, cpu, reference, vulkan, vulkan:N or vulkan:NAME (see labmake devices).")
    var device = "auto"

    @Option(help: "CPU threads (default: every core).")
    var threads: Int?

    @Option(help: "Timed steps (after --warmup untimed ones).")
    var steps = 20

    @Option(help: "Untimed warm-up steps.")
    var warmup = 3

    @Option(help: "Clip the gradients' global L2 norm to this, as the grad_clip setting does (0: off).")
    var gradClip: Float = 0

    @Option(help: "On a Vulkan device, when matrix products and convolutions use 128 × 128 tiles: never, where-busy (the default: results that make 256 such tiles) or always.")
    var largeTiles: LargeTiles?

    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        guard gradClip >= 0 && gradClip.isFinite else { throw ValidationError("--grad-clip must be a number ≥ 0, got \(gradClip)") }
    }

    func run() throws {
        try ComputeDevice.activate(device, threads: threads, announce: true)
        try ComputeDevice.use(largeTiles: largeTiles)
        let network: Model
        do { network = try ModelZoo.make(model) } catch { throw LabmakeExit(ExitStatus.invalid, "error: \(error)") }
        var random = SplitMix64(seed: 1)
        let images = Tensor((0..<(batch * 3 * 32 * 32)).map { _ in random.normal() }, shape: [batch, 3, 32, 32])
        let labels = Tensor((0..<batch).map { _ in Float(random.next() % 10) }, shape: [batch])
        var state = network.initialState(seed: 0)
        var optimizer = SGD(momentum: 0.9, weightDecay: 5e-4)
        var lastLoss: Float = 0

        // On a device, a step is submitted without waiting and its loss read every few steps, as the trainer does;
        // a step's time is then the whole run's over the steps.
        let onDevice = Backends.current.traffic != nil
        let readEvery = onDevice ? Trainer.deviceReadInterval : 1
        var unread: [Tensor] = []
        func trainingStep() throws {
            var buffers = state.buffers
            let (loss, gradients) = try valueAndGradient(of: { p in
                let out = try network.logits(images, parameters: p, buffers: state.buffers, training: true, random: random)
                buffers = out.buffers
                return try out.logits.crossEntropy(labels: labels)
            }, at: state.parameters)
            let scale = gradClip > 0 ? try GradientClipping.factor(gradients, maxNorm: gradClip).factor : nil
            try optimizer.step(&state.parameters, gradients: gradients, lr: 0.05, gradientScale: scale)
            state.buffers = buffers
            unread.append(loss)
            if unread.count >= readEvery { Tensor.prepareToRead(unread) }
            try Backends.current.commit()
            if unread.count >= readEvery { try readLosses() }
        }
        func readLosses() throws {
            for loss in unread { lastLoss = loss.scalar }
            unread = []
            try Backends.current.synchronize()
        }
        var trafficStart: BackendTraffic?
        var trainTimes: [Double]
        if onDevice {
            for _ in 0..<warmup { try trainingStep() }
            try readLosses()
            trafficStart = Backends.current.traffic
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<steps { try trainingStep() }
            try readLosses()
            trainTimes = [Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(steps)]
        } else {
            trainTimes = try time(steps: steps, warmup: warmup, onStart: { trafficStart = Backends.current.traffic }) { try trainingStep() }
        }
        var trafficPerStep: BackendTraffic?
        if let end = Backends.current.traffic, let start = trafficStart { trafficPerStep = end - start }
        guard lastLoss.isFinite else { throw LabmakeExit(ExitStatus.stageFailed, "error: the loss became \(lastLoss)") }
        let inferTimes = try time(steps: steps, warmup: warmup) {
            _ = try network.logits(images, parameters: state.parameters, buffers: state.buffers, training: false, random: random)
            try Backends.current.synchronize()  // a GPU backend has only recorded the work until it is waited for
        }
        let train = median(trainTimes), infer = median(inferTimes)
        let peak = peakResidentBytes()
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        if json {
            var fields: [String: ConfigValue] = [
                "model": .string(model), "batch": .int(batch), "threads": .int(threadCount), "device": .string(Backends.current.name),
                "parameters": .int(network.parameterCount),
                "train_ms_per_step": .double(round3(train * 1000)), "train_images_per_second": .double(round3(Double(batch) / train)),
                "infer_ms_per_step": .double(round3(infer * 1000)), "infer_images_per_second": .double(round3(Double(batch) / infer)),
                "peak_rss_mib": .double(round3(Double(peak) / 1_048_576)), "final_loss": .double(Double(lastLoss)),
                "grad_clip": .double(Double(gradClip)),
            ]
            if let vulkan = Backends.current as? VulkanBackend { fields["large_tiles"] = .string(vulkan.largeTiles.rawValue) }
            if let t = trafficPerStep {
                let n = Double(steps)
                fields["dispatches_per_step"] = .double(round3(Double(t.dispatches) / n))
                fields["barriers_per_step"] = .double(round3(Double(t.barriers) / n))
                fields["submissions_per_step"] = .double(round3(Double(t.submissions) / n))
                fields["waits_per_step"] = .double(round3(Double(t.waits) / n))
                fields["bytes_to_device_per_step"] = .double(round3(Double(t.bytesToDevice) / n))
                fields["bytes_to_host_per_step"] = .double(round3(Double(t.bytesToHost) / n))
            }
            print(ConfigValue.object(fields).canonicalJSON)
        } else {
            print("\(model), batch \(batch), \(threadCount) threads, backend \(Backends.current.name), \(network.parameterCount) parameters")
            print(String(format: "training:  %8.1f img/s  %8.1f ms/step", Double(batch) / train, train * 1000))
            print(String(format: "inference: %8.1f img/s  %8.1f ms/step", Double(batch) / infer, infer * 1000))
            print(String(format: "peak resident memory: %.0f MiB", Double(peak) / 1_048_576))
            if let t = trafficPerStep {
                let n = Double(steps)
                print(String(format: "per training step: %.0f dispatches, %.0f barriers, %.2f submissions, %.2f waits, %.0f bytes to the device, %.0f bytes back",
                             Double(t.dispatches) / n, Double(t.barriers) / n, Double(t.submissions) / n, Double(t.waits) / n,
                             Double(t.bytesToDevice) / n, Double(t.bytesToHost) / n))
            }
        }
    }

    private func time(steps: Int, warmup: Int, onStart: () -> Void = {}, _ body: () throws -> Void) throws -> [Double] {
        for _ in 0..<warmup { try body() }
        onStart()
        return try (0..<steps).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    private func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        return (s[s.count / 2] + s[(s.count - 1) / 2]) / 2
    }

    private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
