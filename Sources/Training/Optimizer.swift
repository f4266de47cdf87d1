import Compute

/// Updates parameters from their gradients, with PyTorch's semantics and defaults, as tensor operations:
/// on a GPU backend the step stays on the device with the parameters, gradients and state (nothing is
/// read back). State (momentum buffers, moment estimates, the step count) is named per parameter so
/// that checkpoints can hold it.
public protocol Optimizer {
    /// Applies one step at learning rate `lr` with every gradient multiplied by `gradientScale`, a tensor of one
    /// element (``GradientClipping/factor(_:maxNorm:)``), when given.
    mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float, gradientScale: Tensor?) throws(ComputeError)
    /// The state, by name (`momentum_buffer.conv1.weight`, `step`…).
    var state: [String: Tensor] { get set }
}

extension Optimizer {
    /// Applies one step at learning rate `lr`.
    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float) throws(ComputeError) {
        try step(&parameters, gradients: gradients, lr: lr, gradientScale: nil)
    }

    /// The state's values, flat, for a checkpoint (read from the device when they are there); setting
    /// them restores a checkpoint's state, shaped like its parameter at the next step.
    public var stateValues: [String: [Float]] {
        get { Tensor.prepareToRead(Array(state.values)); return state.mapValues(\.values) }
        set { state = newValue.mapValues { Tensor($0, shape: [$0.count]) } }
    }
}

/// An optimizer that updates each parameter by itself (the mlx-swift style): ``step(_:gradients:lr:gradientScale:)``
/// walks the parameters in name order and hands each, with its gradient, to ``update(_:name:lr:)``.
public protocol ParameterwiseOptimizer: Optimizer {
    /// Called once before the parameters of a step are walked (Adam counts its steps here).
    mutating func beginStep()
    /// The parameter after one step from `operands` (its gradient, scaled when the step has a scale, and the
    /// parameter), its state in ``Optimizer/state`` updated.
    mutating func update(_ operands: UpdateOperands, name: String, lr: Float) throws(ComputeError) -> Tensor
}

extension ParameterwiseOptimizer {
    public mutating func beginStep() {}

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], lr: Float, gradientScale: Tensor?) throws(ComputeError) {
        beginStep()
        // On a device, the parameters and state the step reads stay alive until every update is recorded:
        // no update's result takes the memory of a tensor another update still reads, which the device would
        // have to finish reading first. The updates read only these, so the device runs them side by side.
        // (On the host, where ops run one after another, holding them would only raise the peak.)
        let inputs = Backends.current.traffic == nil ? nil : (parameters, state)
        defer { withExtendedLifetime(inputs) {} }
        for name in parameters.keys.sorted() {
            guard let gradient = gradients[name] else { continue }
            let operands = UpdateOperands(gradient: gradient.detached, parameter: parameters[name]!.detached, scale: gradientScale?.detached)
            parameters[name] = try update(operands, name: name, lr: lr)
        }
    }

    /// The state tensor `key`, shaped like `parameter` (a checkpoint restores it flat), or nil.
    func stateTensor(_ key: String, like parameter: Tensor) throws(ComputeError) -> Tensor? {
        guard let tensor = state[key] else { return nil }
        return tensor.shape == parameter.shape ? tensor : try tensor.reshaped(parameter.shape)
    }

    /// `decay`·state + `term` as an expression, the state `key` appended to `operands` and read from there;
    /// at the first step, with no state yet, `term` alone (the state starts at zero, and β·0 + x is x).
    func accumulated(_ key: String, like parameter: Tensor, decay: Float, plus term: ElementwiseExpression,
                     operands: inout [Tensor]) throws(ComputeError) -> ElementwiseExpression {
        guard let previous = try stateTensor(key, like: parameter) else { return term }
        operands.append(previous)
        return .constant(decay) * .operand(operands.count - 1) + term
    }
}

public enum Optimizers {
    /// The optimizer a config names. The lab's `momentum` is SGD's and RMSprop's momentum and Adam's
    /// and AdamW's β₁ (β₂ stays 0.999).
    public static func make(_ config: TrainingConfig) throws(TrainingError) -> any Optimizer {
        switch config.optimizer {
        case .sgd: return SGD(momentum: config.momentum, nesterov: config.nesterov, weightDecay: config.weightDecay)
        case .adam: return Adam(beta1: config.momentum, weightDecay: config.weightDecay, decoupled: false)
        case .adamw: return Adam(beta1: config.momentum, weightDecay: config.weightDecay, decoupled: true)
        case .rmsprop: return RMSprop(momentum: config.momentum, weightDecay: config.weightDecay)
        }
    }
}
