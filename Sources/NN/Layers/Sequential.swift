import Compute

/// Layers applied in order.
public struct Sequential: Layer {
    public let layers: [any Layer]
    public init(_ layers: [any Layer]) { self.layers = layers }
    public func declare(_ d: inout Declarations) { for layer in layers { layer.declare(&d) } }
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        var y = x
        for layer in layers { y = try layer.forward(y, &c) }
        return y
    }
}

/// `activation(body(x) + shortcut(x))`, the shortcut the identity when nil.
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
