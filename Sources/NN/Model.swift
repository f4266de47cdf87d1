import Compute
import Randomness

/// A network for images of one shape (``ModelRequest``) and `classes` classes, with the names of its parameters and buffers.
public struct Model: Sendable {
    public let name: String
    public let classes: Int
    public let network: any Layer

    public init(name: String, classes: Int, network: any Layer) {
        self.name = name
        self.classes = classes
        self.network = network
    }

    /// Initial parameters and buffers, drawn from `seed`.
    public func initialState(seed: UInt64) -> ModelState {
        var d = Declarations(seed: seed)
        network.declare(&d)
        return ModelState(parameters: d.parameters, buffers: d.buffers)
    }

    /// The number of trainable numbers.
    public var parameterCount: Int {
        var d = Declarations(seed: 0)
        network.declare(&d)
        return d.parameters.reduce(0) { $0 + $1.value.shape.count }
    }

    /// Logits `[n, classes]` for images `[n, channels, height, width]`.
    public func logits(_ images: Tensor, parameters: [String: Tensor], buffers: [String: Tensor], training: Bool,
                       random: SplitMix64) throws -> (logits: Tensor, buffers: [String: Tensor]) {
        var context = LayerContext(parameters: parameters, buffers: buffers, training: training, random: random)
        let y = try network.forward(images, &context)
        var updated = buffers
        for (name, value) in context.updatedBuffers { updated[name] = value.detached }
        return (y, updated)
    }
}

/// A model's parameters and buffers by name, and the order they were declared in (checkpoints and
/// optimizers walk them in that order).
public struct ModelState: Sendable {
    public var parameters: [String: Tensor]
    public var buffers: [String: Tensor]
    public let parameterNames: [String]
    public let bufferNames: [String]

    public init(parameters: [(name: String, value: Tensor)], buffers: [(name: String, value: Tensor)]) {
        self.parameters = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.value) })
        self.buffers = Dictionary(uniqueKeysWithValues: buffers.map { ($0.name, $0.value) })
        parameterNames = parameters.map(\.name)
        bufferNames = buffers.map(\.name)
    }
}
