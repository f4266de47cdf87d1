import Compute
import ComputeCPU
import Foundation
import Testing

@Suite("Misuse fails clearly")
struct ShapeErrorTests {
    init() { Backends.register(ReferenceBackend()) }

    @Test("each mistake names the op and both shapes", arguments: [
        ("add", "add: shapes [2, 3] and [4] are incompatible: they do not broadcast"),
        ("matmul", "matmul: shapes [2, 3] and [4, 5] are incompatible: inner dimensions 3 and 4 differ"),
        ("conv2d", "conv2d: shapes [1, 3, 8, 8] and [4, 2, 3, 3] are incompatible: input channels 3 do not match weight 2 × groups 1"),
        ("reshape", "reshape: shapes [2, 3] and [4] are incompatible: they hold 6 and 4 elements"),
        ("cross-entropy", "softmaxCrossEntropy: shapes [3, 4] and [2] are incompatible: expected one label per row of logits"),
        ("concat", "concat: shapes [2, 3] and [2, 4] are incompatible: they differ outside axis 0"),
        ("axis", "sum: axis 3 is out of range for shape [2, 3]"),
        ("batch-norm", "batchNorm: shapes [2, 3, 4, 4] and [4] are incompatible: scale must have one element per channel"),
        ("label", "softmaxCrossEntropy: label 10 of row 1 is not a class index in 0..<4"),
    ])
    func mistakes(_ what: String, _ message: String) {
        let a = Tensor.zeros([2, 3])
        #expect(throws: ComputeError(message)) {
            switch what {
            case "add": _ = try a + Tensor.zeros([4])
            case "matmul": _ = try a.matmul(.zeros([4, 5]))
            case "conv2d": _ = try Tensor.zeros([1, 3, 8, 8]).conv2d(.zeros([4, 2, 3, 3]))
            case "reshape": _ = try a.reshaped([4])
            case "cross-entropy": _ = try Tensor.zeros([3, 4]).crossEntropy(labels: .zeros([2]))
            case "concat": _ = try Tensor.concatenate([a, .zeros([2, 4])], axis: 0)
            case "batch-norm": _ = try Tensor.zeros([2, 3, 4, 4]).batchNorm(scale: .ones([4]), shift: .zeros([3]))
            case "label": _ = try Tensor.zeros([3, 4]).crossEntropy(labels: Tensor([0, 10, 2], shape: [3]))
            default: _ = try a.sum(axes: [3])
            }
        }
    }

    @Test("a gradient asks for a function of one number")
    func nonScalar() {
        #expect(throws: ComputeError("valueAndGradient: the function must return one number, got shape [2, 3]")) {
            try valueAndGradient(of: { try $0["a"]! * Tensor(2) }, at: ["a": .zeros([2, 3])])
        }
    }
}

@Suite("Determinism and numerics")
struct NumericsTests {
    init() { Backends.register(ReferenceBackend()) }

    @Test("the same inputs give bit-identical values and gradients")
    func deterministic() throws {
        let parameters = ["x": distinct([2, 3, 6, 6], seed: 1), "w": distinct([4, 3, 3, 3], seed: 2), "fc": distinct([4, 5], seed: 3)]
        let f: ([String: Tensor]) throws -> Tensor = { p in
            try p["x"]!.conv2d(p["w"]!, padding: 1).relu().maxPool2d(kernel: 2).globalAvgPool2d().matmul(p["fc"]!)
                .crossEntropy(labels: Tensor([1, 4], shape: [2]), labelSmoothing: 0.1)
        }
        let first = try valueAndGradient(of: f, at: parameters)
        let second = try valueAndGradient(of: f, at: parameters)
        #expect(first.value.values.map(\.bitPattern) == second.value.values.map(\.bitPattern))
        for name in parameters.keys {
            #expect(first.gradients[name]!.values.map(\.bitPattern) == second.gradients[name]!.values.map(\.bitPattern))
        }
    }

    @Test("cross-entropy is stable for huge logits and matches a hand computation")
    func crossEntropy() throws {
        let logits = Tensor([1000, 0, -1000, 1, 2, 3], shape: [2, 3])
        let loss = try Tensor.apply(.softmaxCrossEntropy(labelSmoothing: 0), [logits, Tensor([0, 2], shape: [2])])
        #expect(loss.values[0] == 0)
        let sumOfExps: Double = Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)
        let expected = Float(Foundation.log(sumOfExps) - 3)
        #expect(abs(loss.values[1] - expected) < 1e-6)
        #expect(try logits.softmax().values.allSatisfy(\.isFinite))
    }

    @Test("batch norm normalises each channel to mean 0 and variance 1")
    func batchNorm() throws {
        let x = distinct([4, 2, 3, 3], seed: 5, low: -3, high: 7)
        let (y, mean, variance) = try x.batchNorm(scale: .ones([2]), shift: .zeros([2]))
        let perChannel = try y.mean(axes: [0, 2, 3])
        #expect(perChannel.values.allSatisfy { abs($0) < 1e-5 })
        let spread = try (y * y).mean(axes: [0, 2, 3])
        #expect(spread.values.allSatisfy { abs($0 - 1) < 1e-3 })
        #expect(mean.shape == [2] && variance.shape == [2])
    }

    @Test("dropout zeroes a fraction p, scales the rest by 1 / (1 − p), and depends only on the seed", arguments: [0.1, 0.3, 0.5, 0.9] as [Float])
    func dropout(p: Float) throws {
        let ones = Tensor.ones([100_001])
        var generator = SeededGenerator(seed: 11)
        let dropped = try ones.dropout(p, using: &generator).values
        let zeros = dropped.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / Double(dropped.count) - Double(p)) < 0.01, "\(zeros) of \(dropped.count) zeroed at p = \(p)")
        #expect(dropped.allSatisfy { $0 == 0 || $0 == 1 / (1 - p) })
        var again = SeededGenerator(seed: 11)
        #expect(try ones.dropout(p, using: &again).values == dropped)
    }
}
