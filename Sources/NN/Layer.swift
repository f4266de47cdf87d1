import Compute
import Randomness

/// A piece of a network: declares the parameters and buffers it owns (by dotted path, as PyTorch's
/// `state_dict` names them) and maps an input to an output given their current values.
public protocol Layer: Sendable {
    /// Declares every parameter and buffer of this layer and its children, with initial values.
    func declare(_ declarations: inout Declarations)
    /// The output for `input`, reading parameters and buffers from `context`.
    func forward(_ input: Tensor, _ context: inout LayerContext) throws -> Tensor
}

/// What a forward pass reads and updates: parameter values (tracked when differentiating), buffers
/// (running statistics), the mode, and the generator dropout draws from.
public struct LayerContext {
    public var parameters: [String: Tensor]
    /// Buffers as they were before this pass.
    public var buffers: [String: Tensor]
    /// Buffers this pass updated (training mode), to be stored after the step.
    public var updatedBuffers: [String: Tensor] = [:]
    public var training: Bool
    public var random: SplitMix64

    public init(parameters: [String: Tensor], buffers: [String: Tensor], training: Bool, random: SplitMix64) {
        self.parameters = parameters
        self.buffers = buffers
        self.training = training
        self.random = random
    }

    public func parameter(_ name: String) throws -> Tensor {
        guard let p = parameters[name] else { throw ComputeError("the model has no parameter '\(name)'") }
        return p
    }

    public func buffer(_ name: String) throws -> Tensor {
        guard let b = updatedBuffers[name] ?? buffers[name] else { throw ComputeError("the model has no buffer '\(name)'") }
        return b
    }
}

/// The parameters and buffers a network declares, in declaration order, with their initial values.
public struct Declarations {
    public private(set) var parameters: [(name: String, value: Tensor)] = []
    public private(set) var buffers: [(name: String, value: Tensor)] = []
    /// Draws the initial values.
    public var random: SplitMix64

    public init(seed: UInt64) { random = SplitMix64(seed: seed) }

    public mutating func parameter(_ name: String, _ value: Tensor) { parameters.append((name, value)) }
    public mutating func buffer(_ name: String, _ value: Tensor) { buffers.append((name, value)) }

    /// U(−bound, bound), PyTorch's default for convolution and linear weights and biases
    /// (`kaiming_uniform_(a=√5)` gives bound = 1/√fan_in).
    public mutating func uniform(_ shape: Shape, bound: Float) -> Tensor {
        Tensor((0..<shape.count).map { _ in random.uniform(-bound, bound) }, shape: shape)
    }
}
