import Compute

/// max(x, 0).
public struct ReLU: Layer {
    public init() {}
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor { try x.relu() }
}

/// Inverted dropout in training (zero with probability p, scale the rest by 1/(1 − p)); identity in evaluation.
public struct Dropout: Layer {
    public let probability: Float
    public init(_ probability: Float) { self.probability = probability }
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        guard c.training, probability > 0 else { return x }
        return try x.dropout(probability, using: &c.random)
    }
}

/// `[n, …] → [n, rest]`.
public struct Flatten: Layer {
    public init() {}
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        try x.reshaped([x.shape[0], x.shape.count / Swift.max(x.shape[0], 1)])
    }
}

/// min(max(x, 0), 6), as MobileNetV2 uses it.
public struct ReLU6: Layer {
    public init() {}
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor { try x.relu6() }
}
