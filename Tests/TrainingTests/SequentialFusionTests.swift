import Compute
import ComputeCPU
import NN
import Randomness
import Testing

/// A Sequential runs a batch norm and the ReLU or ReLU6 after it as one op, and a Residual whose body
/// ends in a batch norm adds its shortcut and applies its activation in that op: the results must be
/// those of the layers run one by one, in training (outputs, gradients, running statistics) and in
/// evaluation.
@Suite("Batch norm, residual add and activation fused")
struct SequentialFusionTests {
    static let chain: [any Layer] = [
        Conv2d("a", 3, 8, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn.a", 8), ReLU(),
        Conv2d("b", 8, 4, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn.b", 4), ReLU6(), GlobalAvgPool2d(),
    ]

    static func block(_ name: String, _ inputs: Int, _ outputs: Int, shortcut: Bool, activation: (any Layer)?) -> any Layer {
        let body = Sequential([Conv2d(name + ".c1", inputs, outputs, kernel: 3, padding: 1, bias: false), BatchNorm2d(name + ".bn1", outputs), ReLU(),
                               Conv2d(name + ".c2", outputs, outputs, kernel: 3, padding: 1, bias: false), BatchNorm2d(name + ".bn2", outputs)])
        let projection = Sequential([Conv2d(name + ".p", inputs, outputs, kernel: 1, bias: false), BatchNorm2d(name + ".pbn", outputs)])
        return Residual(body, shortcut: shortcut ? projection : nil, activation: activation)
    }

    static let residual: [any Layer] = [
        Conv2d("a", 3, 8, kernel: 3, padding: 1, bias: false), BatchNorm2d("bn.a", 8), ReLU(),
        block("r1", 8, 8, shortcut: false, activation: ReLU()), block("r2", 8, 4, shortcut: true, activation: ReLU()),
        block("r3", 4, 4, shortcut: false, activation: nil), block("r4", 4, 4, shortcut: false, activation: ReLU6()),
        // A shortcut that broadcasts (a per-channel mean over the 6 × 6 image): added after the batch norm, not in it.
        Residual(Sequential([Conv2d("r5.c", 4, 4, kernel: 3, padding: 1, bias: false), BatchNorm2d("r5.bn", 4)]), shortcut: AvgPool2d(kernel: 6)),
        BatchNorm2d("bn.b", 4), ReLU6(), GlobalAvgPool2d(),
    ]

    /// A layer run without any fusion: sequences one layer at a time, residuals as an explicit sum.
    struct Unfused: Layer {
        let layer: any Layer
        func declare(_ d: inout Declarations) { layer.declare(&d) }
        func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
            switch layer {
            case let sequence as Sequential:
                var y = x
                for inner in sequence.layers { y = try Unfused(layer: inner).forward(y, &c) }
                return y
            case let block as Residual:
                let sum = try Unfused(layer: block.body).forward(x, &c) + (block.shortcut.map { try Unfused(layer: $0).forward(x, &c) } ?? x)
                return try block.activation.map { try $0.forward(sum, &c) } ?? sum
            default:
                return try layer.forward(x, &c)
            }
        }
    }

    @Test("same outputs, gradients and running statistics as the layers one by one", arguments: ["cpu", "reference"], [true, false])
    func fusedEqualsUnfused(_ backendName: String, _ training: Bool) throws {
        try compare(Sequential(Self.chain), backendName, training)
        try compare(Sequential(Self.residual), backendName, training)
    }

    func compare(_ network: Sequential, _ backendName: String, _ training: Bool) throws {
        let backend: any Backend = backendName == "cpu" ? try CPUBackend(threads: 2) : ReferenceBackend()
        var random = SplitMix64(seed: 7)
        let images = Tensor((0..<(4 * 3 * 6 * 6)).map { _ in random.normal() }, shape: [4, 3, 6, 6])
        let fused = Model(name: "fused", classes: 4, network: network)
        let unfused = Model(name: "unfused", classes: 4, network: Unfused(layer: network))
        var state = fused.initialState(seed: 3)
        // Shifts that put some of the normalised values above 6 and below 0, so that both activations clip.
        state.parameters["bn.b.bias"] = Tensor([2, -1, 5, 0.5], shape: [4])
        state.parameters["bn.b.weight"] = Tensor([3, 1, 2, 0.5], shape: [4])
        state.buffers["bn.a.running_mean"] = Tensor((0..<8).map { Float($0) / 10 }, shape: [8])

        func run(_ model: Model) throws -> (loss: Float, gradients: [String: [Float]], buffers: [String: [Float]]) {
            try Backends.with(backend) {
                var buffers: [String: Tensor] = [:]
                let (loss, gradients) = try valueAndGradient(of: { p in
                    let out = try model.logits(images, parameters: p, buffers: state.buffers, training: training, random: SplitMix64(seed: 1))
                    buffers = out.buffers
                    return try (out.logits * out.logits).sum()
                }, at: state.parameters)
                return (loss.scalar, gradients.mapValues(\.values), buffers.mapValues(\.values))
            }
        }
        let (a, b) = (try run(fused), try run(unfused))
        #expect(abs(a.loss - b.loss) <= 1e-5 * max(1, abs(b.loss)))
        #expect(a.gradients.keys.sorted() == b.gradients.keys.sorted())
        for (name, expected) in b.gradients {
            for (g, e) in zip(a.gradients[name]!, expected) { #expect(abs(g - e) <= 1e-4 + 1e-4 * abs(e), "\(name): \(g), one by one \(e)") }
        }
        for (name, expected) in b.buffers { #expect(a.buffers[name]! == expected, "\(name)") }
    }
}
