import Compute
import ComputeCPU
@testable import ComputeVulkan
import Foundation
import Testing

/// Stride 2 with padding (2, 1), for a 5 × 3 kernel.
let conv5x3Strided: Conv2D = {
    var conv = Conv2D(stride: 2)
    conv.padding = (2, 1)
    return conv
}()

/// Ops the CPU parity cases leave out, and sizes that exercise the shaders' tiling and grid loops.
let vulkanExtraCases: [ParityCase] = [
    .init(name: "negate", op: .negate, inputs: [distinct([5, 3], seed: 70)]),
    .init(name: "log", op: .log, inputs: [distinct([9], seed: 71, low: 0.1, high: 4)]),
    .init(name: "sqrt", op: .sqrt, inputs: [distinct([9], seed: 72, low: 0.1, high: 4)]),
    .init(name: "positive", op: .positive, inputs: [distinct([4, 4], seed: 73)]),
    .init(name: "divide, broadcast", op: .divide, inputs: [distinct([3, 4], seed: 74), distinct([4], seed: 75, low: 0.5, high: 2)]),
    .init(name: "reshape", op: .reshape([6, 2]), inputs: [distinct([3, 4], seed: 76)]),
    .init(name: "softmax cross-entropy", op: .softmaxCrossEntropy(labelSmoothing: 0.1),
          inputs: [distinct([5, 10], seed: 77, low: -4, high: 4), Tensor([0, 9, 3, 3, 7], shape: [5])]),
    .init(name: "softmax cross-entropy gradient", op: .softmaxCrossEntropyGradient(labelSmoothing: 0),
          inputs: [distinct([5, 10], seed: 78, low: -4, high: 4), Tensor([0, 9, 3, 3, 7], shape: [5]), distinct([5], seed: 79)]),
    .init(name: "matmul across several 64 × 64 tiles, ragged edges", op: .matmul,
          inputs: [distinct([130, 70], seed: 80), distinct([70, 129], seed: 81)]),
    .init(name: "sum of a million elements", op: .sum(axes: [0, 1]), inputs: [distinct([1000, 1000], seed: 82, low: 0, high: 1)]),
    .init(name: "max over the middle axis", op: .max(axes: [1]), inputs: [distinct([4, 50, 6], seed: 83)]),
    .init(name: "transpose of rank 5", op: .transpose([4, 2, 0, 3, 1]), inputs: [distinct([2, 3, 4, 5, 2], seed: 84)]),
    .init(name: "conv2d 1×1 (the input is its own patch matrix)", op: .conv2d(Conv2D()),
          inputs: [distinct([3, 8, 5, 5], seed: 85), distinct([4, 8, 1, 1], seed: 86)]),
    .init(name: "conv2d input gradient, 1×1", op: .conv2dInputGradient(Conv2D(), inputShape: [3, 8, 5, 5]),
          inputs: [distinct([3, 4, 5, 5], seed: 87), distinct([4, 8, 1, 1], seed: 88)]),
    .init(name: "conv2d weight gradient, strided and grouped", op: .conv2dWeightGradient(convStrided, weightShape: [6, 2, 3, 3]),
          inputs: [distinct([2, 4, 9, 9], seed: 89), distinct([2, 6, 5, 5], seed: 90)]),
    .init(name: "conv2d over several tiles of outputs and columns, ragged edges", op: .conv2d(conv3),
          inputs: [distinct([3, 5, 11, 13], seed: 110), distinct([70, 5, 3, 3], seed: 111)]),
    .init(name: "conv2d with 24 outputs (32-row tiles), columns over several tiles", op: .conv2d(conv3),
          inputs: [distinct([2, 5, 12, 13], seed: 122), distinct([24, 5, 3, 3], seed: 123)]),
    .init(name: "conv2d input gradient with 20 channels (32-row tiles)", op: .conv2dInputGradient(conv3, inputShape: [2, 20, 9, 9]),
          inputs: [distinct([2, 6, 9, 9], seed: 124), distinct([6, 20, 3, 3], seed: 125)]),
    .init(name: "conv2d input gradient, stride 2, a 5 × 3 kernel, padding (2, 1)", op: .conv2dInputGradient(conv5x3Strided, inputShape: [2, 4, 11, 10]),
          inputs: [distinct([2, 6, 6, 5], seed: 112), distinct([6, 4, 5, 3], seed: 113)]),
    .init(name: "conv2d input gradient, 1 × 1, stride 2 (odd pixels receive nothing)", op: .conv2dInputGradient(Conv2D(stride: 2), inputShape: [2, 3, 9, 8]),
          inputs: [distinct([2, 5, 5, 4], seed: 118), distinct([5, 3, 1, 1], seed: 119)]),
    .init(name: "conv2d input gradient, a 2 × 2 kernel, stride 3, padding 1", op: .conv2dInputGradient(Conv2D(stride: 3, padding: 1), inputShape: [2, 3, 10, 11]),
          inputs: [distinct([2, 4, 4, 4], seed: 120), distinct([4, 3, 2, 2], seed: 121)]),
    .init(name: "conv2d weight gradient over several tiles, ragged edges", op: .conv2dWeightGradient(conv3, weightShape: [70, 5, 3, 3]),
          inputs: [distinct([3, 5, 11, 13], seed: 114), distinct([3, 70, 11, 13], seed: 115)]),
    .init(name: "conv2d weight gradient, stride 2, a 5 × 3 kernel", op: .conv2dWeightGradient(conv5x3Strided, weightShape: [6, 4, 5, 3]),
          inputs: [distinct([2, 4, 11, 10], seed: 116), distinct([2, 6, 6, 5], seed: 117)]),
    .init(name: "conv2d weight gradient of an empty batch: zeros", op: .conv2dWeightGradient(conv3, weightShape: [5, 3, 3, 3]),
          inputs: [Tensor([], shape: [0, 3, 8, 8]), Tensor([], shape: [0, 5, 8, 8])]),
    .init(name: "conv2d input gradient with 40 channels, stride 2 (64-row tiles, or 128 × 128)", op: .conv2dInputGradient(Conv2D(stride: 2, padding: 1), inputShape: [2, 40, 9, 8]),
          inputs: [distinct([2, 6, 5, 4], seed: 126), distinct([6, 40, 3, 3], seed: 127)]),
    .init(name: "conv2d in two groups of 36 outputs", op: .conv2d(Conv2D(padding: 1, groups: 2)),
          inputs: [distinct([2, 6, 7, 7], seed: 128), distinct([72, 3, 3, 3], seed: 129)]),
    .init(name: "conv2d weight gradient in two groups of 36 outputs", op: .conv2dWeightGradient(Conv2D(padding: 1, groups: 2), weightShape: [72, 3, 3, 3]),
          inputs: [distinct([2, 6, 7, 7], seed: 130), distinct([2, 72, 7, 7], seed: 131)]),
    .init(name: "batch norm moments over many elements", op: .channelMoments, inputs: [distinct([8, 2, 30, 30], seed: 91, low: 2, high: 4)]),
]

/// The largest difference between `got` and `expected`, in multiples of the tolerance 1e-4 + 1e-4·|expected|
/// (infinite for a NaN).
func worstError(_ got: [Float], _ expected: [Float]) -> Float {
    zip(got, expected).map { g, e in
        let error = abs(g - e) / (1e-4 + 1e-4 * abs(e))
        return error.isNaN ? .infinity : error
    }.max() ?? 0
}

@Suite("The Vulkan backend agrees with the CPU backend (validation layer on)",
       .enabled(if: VulkanTestDevice.available, Comment(rawValue: VulkanTestDevice.skipReason)), .serialized)
struct VulkanParityTests {
    var vulkan: VulkanBackend { try! VulkanTestDevice.backend.get() }

    @Test("the validation layer is on")
    func validationIsOn() {
        #expect(VulkanDevices.validationEnabled)
    }

    @Test("every op, forward", arguments: parityCases + vulkanExtraCases)
    func forward(_ c: ParityCase) throws {
        let before = VulkanValidation.errorMessages.count
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let expected = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
        let got = try vulkan.run(c.op, c.inputs, output: shape)
        #expect(got.count == expected.count)
        let worst = worstError(got, expected)
        #expect(worst <= 1, "\(c.name): off by \(worst) times the tolerance")
        #expect(VulkanValidation.errorMessages.count == before, "\(VulkanValidation.errorMessages.dropFirst(before))")
    }

    @Test("every op's gradient, through autodiff on the device", arguments: gradientCases)
    func backward(_ c: GradientCase) throws {
        let before = VulkanValidation.errorMessages.count
        let output = try Backends.with(ReferenceBackend()) { try c.f(c.parameters) }
        let weights = distinct(output.shape, seed: 99, low: -1.5, high: 1.5)
        let loss: ([String: Tensor]) throws -> Tensor = { try (c.f($0) * weights).sum() }
        let expected = try Backends.with(try CPUBackend(threads: 2)) { try valueAndGradient(of: loss, at: c.parameters) }
        let got = try Backends.with(vulkan) { try valueAndGradient(of: loss, at: c.parameters) }
        #expect(abs(got.value.scalar - expected.value.scalar) <= 1e-4 + 1e-4 * abs(expected.value.scalar))
        for (name, gradient) in expected.gradients {
            for (i, (g, e)) in zip(got.gradients[name]!.values, gradient.values).enumerated() {
                #expect(abs(g - e) <= 2e-4 + 2e-4 * abs(e), "\(c.name): d/d\(name)[\(i)] is \(g), CPU \(e)")
            }
        }
        #expect(VulkanValidation.errorMessages.count == before, "\(VulkanValidation.errorMessages.dropFirst(before))")
    }

    @Test("weight gradients summed in one pass or in slices of images agree", arguments: (parityCases + vulkanExtraCases).filter {
        if case .conv2dWeightGradient = $0.op { return true }
        return false
    })
    func slicedWeightGradient(_ c: ParityCase) throws {
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let sliced = try vulkan.run(c.op, c.inputs, output: shape)
        let saved = vulkan.weightGradientSlices
        vulkan.weightGradientSlices = 1
        defer { vulkan.weightGradientSlices = saved }
        let whole = try vulkan.run(c.op, c.inputs, output: shape)
        for (i, (a, b)) in zip(sliced, whole).enumerated() {
            #expect(abs(a - b) <= 1e-5 + 1e-5 * abs(b), "\(c.name)[\(i)]: \(a) in slices, \(b) at once")
        }
    }

    @Test("products and convolutions agree with the CPU in 128 × 128 tiles", arguments: (parityCases + vulkanExtraCases).filter {
        switch $0.op {
        case .matmul, .conv2d, .conv2dInputGradient, .conv2dWeightGradient: return true
        default: return false
        }
    })
    func largeTiles(_ c: ParityCase) throws {
        #expect(vulkan.largeTilesAvailable == (vulkan.info.maxSharedMemory >= ShaderRequirements(spirv: Shader.implicitGemm128.code).sharedBytes))
        let before = VulkanValidation.errorMessages.count
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let expected = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
        let saved = vulkan.largeTiles
        vulkan.largeTiles = .always
        defer { vulkan.largeTiles = saved }
        let got = try vulkan.run(c.op, c.inputs, output: shape)
        let worst = worstError(got, expected)
        #expect(worst <= 1, "\(c.name): off by \(worst) times the tolerance")
        #expect(VulkanValidation.errorMessages.count == before, "\(VulkanValidation.errorMessages.dropFirst(before))")
    }

    @Test("a convolution large enough takes 128 × 128 tiles by itself, and agrees with the CPU")
    func largeTilesWhereBusy() throws {
        let x = distinct([8, 3, 64, 64], seed: 132), w = distinct([128, 3, 3, 3], seed: 133)
        let op = Op.conv2d(conv3)
        #expect(vulkan.largeTiles == .whereBusy)
        #expect(vulkan.implicitGemmTiles(rows: 128, columns: 8 * 64 * 64, batches: 1).shader == (vulkan.largeTilesAvailable ? .implicitGemm128 : .implicitGemm))
        let shape = try op.outputShape([x.shape, w.shape])
        let expected = try CPUBackend(threads: 2).run(op, [x, w], output: shape)
        let got = try vulkan.run(op, [x, w], output: shape)
        let worst = worstError(got, expected)
        #expect(worst <= 1, "off by \(worst) times the tolerance")
    }

    /// Backends of their own that reduce in shared memory and, where the device offers it, with subgroup operations.
    static let reductionBackends: [VulkanBackend] = {
        let index = try! VulkanTestDevice.backend.get().info.index
        let tree = try! VulkanBackend(device: index, subgroupReductions: false)
        let subgroups = try! VulkanBackend(device: index, subgroupReductions: true)
        return subgroups.subgroupReductions ? [tree, subgroups] : [tree]
    }()

    @Test("reductions in shared memory and with subgroup operations agree with the CPU", arguments: (parityCases + vulkanExtraCases).filter {
        switch $0.op {
        case .sum, .max, .channelMoments, .batchNormAffineGradient: return true
        default: return false
        }
    })
    func reductionVariants(_ c: ParityCase) throws {
        let before = VulkanValidation.errorMessages.count
        let shape = try c.op.outputShape(c.inputs.map(\.shape))
        let expected = try CPUBackend(threads: 2).run(c.op, c.inputs, output: shape)
        #expect(Self.reductionBackends.map(\.subgroupReductions) == (vulkan.info.subgroupArithmetic ? [false, true] : [false]))
        for backend in Self.reductionBackends {
            let got = try backend.run(c.op, c.inputs, output: shape)
            let worst = worstError(got, expected)
            #expect(worst <= 1, "\(c.name), subgroups \(backend.subgroupReductions): off by \(worst) times the tolerance")
        }
        #expect(VulkanValidation.errorMessages.count == before, "\(VulkanValidation.errorMessages.dropFirst(before))")
    }

    @Test("results stay on the device until read; a step is recorded and submitted once")
    func oneSubmissionPerRead() throws {
        let x = distinct([8, 3, 8, 8], seed: 95), w = distinct([4, 3, 3, 3], seed: 96), fc = distinct([4, 10], seed: 97)
        let labels = Tensor((0..<8).map { Float($0) }, shape: [8])
        // A backend of its own, so that other suites' work on the shared one does not count.
        let vulkan = try VulkanBackend(device: self.vulkan.info.index)
        let start = vulkan.submissions
        let (loss, gradients) = try Backends.with(vulkan) {
            try valueAndGradient(of: { p in
                let h = try x.conv2d(p["w"]!, padding: 1).batchNorm(scale: .ones([4]), shift: .zeros([4])).output.relu()
                return try h.globalAvgPool2d().matmul(p["fc"]!).crossEntropy(labels: labels)
            }, at: ["w": w, "fc": fc])
        }
        #expect(vulkan.submissions == start, "nothing is submitted before a result is read")
        Tensor.prepareToRead([loss] + gradients.values)
        _ = loss.scalar
        _ = gradients.values.map(\.values)
        #expect(vulkan.submissions == start + 1)
    }

    @Test("commands that share no buffer run with no barrier between them; one that reads another's result, or reuses memory one read, waits (synchronization validation on)")
    func barriersOnlyWhereNeeded() throws {
        let x = distinct([32, 32], seed: 101), y = distinct([32, 32], seed: 102)
        let vulkan = try VulkanBackend(device: self.vulkan.info.index)
        let errors = VulkanValidation.errorMessages.count
        let (c, d, e) = try Backends.with(vulkan) { () throws -> (Tensor, Tensor, Tensor) in
            for t in [x, y, Tensor.constant(2), Tensor.constant(3)] { _ = try t + t }
            try vulkan.synchronize()
            let start = vulkan.traffic!
            var a: Tensor? = try x * Tensor.constant(2)
            let b = try y * Tensor.constant(3)
            // The first command of a submission waits for all earlier ones; b shares nothing with a.
            #expect((vulkan.traffic! - start).barriers == 1, "\(vulkan.traffic! - start)")
            let c = try a! + b
            #expect((vulkan.traffic! - start).barriers == 2, "c reads a and b: \(vulkan.traffic! - start)")
            let d = try a! - b
            #expect((vulkan.traffic! - start).barriers == 2, "d reads what c reads and writes its own buffer: \(vulkan.traffic! - start)")
            // a's memory goes back to the pool, and the next result of its size is written there: it waits for c
            // and d, which read a, though it reads nothing they wrote.
            a = nil
            let f = try y * Tensor.constant(3)
            #expect((vulkan.traffic! - start).barriers == 3, "f reuses a's memory: \(vulkan.traffic! - start)")
            // That barrier also ordered c and d before their product.
            let e = try c * d
            #expect((vulkan.traffic! - start).barriers == 3, "e reads c and d, written before the last barrier: \(vulkan.traffic! - start)")
            for (got, want) in zip(f.values, y.values) { #expect(abs(got - 3 * want) <= 1e-6) }
            return (c, d, e)
        }
        let (xv, yv) = (x.values, y.values)
        let cv = zip(xv, yv).map { 2 * $0 + 3 * $1 }, dv = zip(xv, yv).map { 2 * $0 - 3 * $1 }
        for (got, want) in zip(c.values, cv) { #expect(abs(got - want) <= 1e-6) }
        for (got, want) in zip(d.values, dv) { #expect(abs(got - want) <= 1e-6) }
        for (got, want) in zip(e.values, zip(cv, dv).map(*)) { #expect(abs(got - want) <= 1e-5) }
        #expect(VulkanValidation.errorMessages.count == errors, "\(VulkanValidation.errorMessages.dropFirst(errors))")
    }

    @Test("a committed step runs without the host waiting; reading its result waits once")
    func commitWithoutWaiting() throws {
        let x = distinct([64, 64], seed: 99)
        let vulkan = try VulkanBackend(device: self.vulkan.info.index)
        let before = vulkan.traffic!
        let y = try Backends.with(vulkan) { () throws -> Tensor in
            let y = try (x * x).exp()
            try vulkan.commit()
            return y
        }
        let committed = vulkan.traffic! - before
        #expect(committed.submissions == 1 && committed.waits == 0, "\(committed)")
        let expected = x.values.map { Float(exp(Double($0 * $0))) }
        for (a, b) in zip(y.values, expected) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "the committed result reads as computed") }
        let read = vulkan.traffic! - before
        #expect(read.submissions == 1 && read.waits == 1, "\(read)")
    }

    @Test("memory freed while the work that uses it is still recorded is reused by the next op")
    func streamOrderedReuse() throws {
        let x = distinct([64, 64], seed: 100)
        let vulkan = try VulkanBackend(device: self.vulkan.info.index)
        // Fifty ops in one submission, each result dropped once the next is recorded.
        let y = try Backends.with(vulkan) { () throws -> [Float] in
            var y = x
            for _ in 0..<50 { y = try (y * Tensor.constant(-1)).exp() }
            return y.values
        }
        var expected = x.values
        for _ in 0..<50 { expected = expected.map { Float(exp(-Double($0))) } }
        for (a, b) in zip(y, expected) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
        // The input's buffer and staging block, and a few results in flight (a chain of 100 would hold 100 without reuse).
        #expect(vulkan.allocatedBytes <= 6 * 64 * 64 * 4, "\(vulkan.allocatedBytes) bytes held")
    }

    @Test("a buffer freed by one op is reused by the next, not allocated again")
    func pooledMemory() throws {
        let x = distinct([64, 64], seed: 98)
        let vulkan = try VulkanBackend(device: self.vulkan.info.index)
        _ = try Backends.with(vulkan) { try (x * x).exp().values }
        let held = vulkan.allocatedBytes
        for _ in 0..<20 { _ = try Backends.with(vulkan) { try (x * x).exp().values } }
        #expect(vulkan.allocatedBytes == held)
    }
}
