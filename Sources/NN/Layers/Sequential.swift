import Compute

/// Layers applied in order. A batch norm followed by a ReLU or ReLU6 runs as one op.
public struct Sequential: Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public func declare(_ d: inout Declarations) { for layer in layers { layer.declare(&d) } }
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor { try forward(x, &c, layers: layers[...]) }

    /// `x` through some of the layers.
    func forward(_ x: Tensor, _ c: inout LayerContext, layers: ArraySlice<any Layer>) throws -> Tensor {
        var y = x
        var i = layers.startIndex
        while i < layers.endIndex {
            if let norm = layers[i] as? BatchNorm2d, i + 1 < layers.endIndex, let activation = Self.activation(layers[i + 1]) {
                y = try norm.forward(y, &c, activation: activation)
                i += 2
            } else {
                y = try layers[i].forward(y, &c)
                i += 1
            }
        }
        return y
    }

    /// The activation a batch norm can apply in its own pass, when `layer` is one.
    static func activation(_ layer: any Layer) -> Activation? {
        switch layer {
        case is ReLU: .relu
        case is ReLU6: .relu6
        default: nil
        }
    }
}

/// `activation(body(x) + shortcut(x))`, the shortcut the identity when nil. A body ending in a batch
/// norm adds the shortcut and applies a ReLU or ReLU6 activation in that batch norm's pass.
public struct Residual: Layer {
    public let body: any Layer
    public let shortcut: (any Layer)?
    public let activation: (any Layer)?

    public init(_ body: any Layer, shortcut: (any Layer)? = nil, activation: (any Layer)? = ReLU()) {
        self.body = body
        self.shortcut = shortcut
        self.activation = activation
    }

    public func declare(_ d: inout Declarations) {
        body.declare(&d)
        shortcut?.declare(&d)
    }

    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        let fusedActivation = activation.map(Sequential.activation)
        if let body = body as? Sequential, let norm = body.layers.last as? BatchNorm2d, fusedActivation != .some(nil) {
            let h = try body.forward(x, &c, layers: body.layers.dropLast())
            let residual = try shortcut.map { try $0.forward(x, &c) } ?? x
            if h.shape == residual.shape { return try norm.forward(h, &c, adding: residual, activation: fusedActivation ?? nil) }
            let sum = try norm.forward(h, &c) + residual  // a shortcut that broadcasts
            return try activation.map { try $0.forward(sum, &c) } ?? sum
        }
        let sum = try body.forward(x, &c) + (shortcut.map { try $0.forward(x, &c) } ?? x)
        return try activation.map { try $0.forward(sum, &c) } ?? sum
    }
}

/// `concat(x, body(x))` along channels (DenseNet's dense connection).
public struct DenseConnection: Layer {
    public let body: any Layer
    public init(_ body: any Layer) { self.body = body }
    public func declare(_ d: inout Declarations) { body.declare(&d) }
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        try Tensor.concatenate([x, body.forward(x, &c)], axis: 1)
    }
}

/// He et al.'s option-A shortcut: subsample by `stride` (`x[:, :, ::s, ::s]`) and pad the new channels
/// with zeros, split evenly before and after, as the common CIFAR ResNet code does. No parameters.
public struct ZeroPadShortcut: Layer {
    public let inputs: Int, outputs: Int, stride: Int
    public init(inputs: Int, outputs: Int, stride: Int) {
        self.inputs = inputs
        self.outputs = outputs
        self.stride = stride
    }
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        // A 1×1 max pool with stride s picks exactly every s-th pixel.
        let sub = stride == 1 ? x : try x.maxPool2d(kernel: 1, stride: stride)
        let extra = outputs - inputs
        guard extra > 0 else { return sub }
        let (n, h, w) = (sub.shape[0], sub.shape[2], sub.shape[3])
        let before = extra / 2
        // Zeros made where the activations are (a GPU uploads nothing for them).
        let zero = Tensor.constant(0)
        return try Tensor.concatenate([zero.expanded(to: [n, before, h, w]), sub, zero.expanded(to: [n, extra - before, h, w])], axis: 1)
    }
}
