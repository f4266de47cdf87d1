/// The closed set of primitives every backend implements. Everything else — softmax, batch
/// normalisation, dropout, global pooling, linear layers — is composed from these.
public enum Op: Hashable, Sendable {
    // MARK: Unary, elementwise
    case negate, exp, log, sqrt, relu
    /// min(max(x, 0), 6) (MobileNetV2's activation).
    case relu6
    /// 1 where the input is positive, else 0 (ReLU's derivative).
    case positive

    // MARK: Binary, elementwise, broadcasting
    case add, subtract, multiply, divide
    /// 1 where the operands are equal, else 0.
    case equal

    // MARK: Reductions (reduced axes kept with size 1)
    case sum(axes: [Int])
    case max(axes: [Int])

    // MARK: Movement
    case reshape(Shape)
    case transpose([Int])
    /// Broadcast to a larger shape.
    case expand(Shape)
    case slice(axis: Int, start: Int, count: Int)
    /// Joins any number of inputs along an axis.
    case concat(axis: Int)

    // MARK: Linear algebra
    /// `[m, k] × [k, n] → [m, n]`.
    case matmul

    // MARK: Convolution and pooling, NCHW
    /// input `[n, c, h, w]`, weight `[o, c / groups, kh, kw]` → `[n, o, oh, ow]`.
    case conv2d(Conv2D)
    /// grad of output, weight → grad of input (of `inputShape`).
    case conv2dInputGradient(Conv2D, inputShape: Shape)
    /// input, grad of output → grad of weight (of `weightShape`).
    case conv2dWeightGradient(Conv2D, weightShape: Shape)
    case maxPool2d(Pool2D)
    /// input, grad of output → grad of input (to the first maximum of each window).
    case maxPool2dGradient(Pool2D)
    case avgPool2d(Pool2D)
    /// grad of output → grad of input (of `inputShape`).
    case avgPool2dGradient(Pool2D, inputShape: Shape)

    // MARK: Batch normalisation, NCHW, fused (composed from the ops above it is 20× slower)
    /// x `[n, c, h, w]` → `[2, c]`: each channel's mean and biased variance over N, H and W.
    case channelMoments
    /// x, moments (the `channelMoments` of x), scale `[c]`, shift `[c]` →
    /// (x − mean) / √(variance + ε) · scale + shift. Training mode: the gradient with respect to x is
    /// the full one through the batch statistics, so none flows to `moments`.
    case batchNorm(epsilon: Float)
    /// x, moments, scale, shift → activation(batchNorm(x)): batch normalisation and the activation that
    /// follows it (a network's BN + ReLU) in one pass. Its gradient is batchNorm's of the activation's.
    case batchNormActivation(epsilon: Float, Activation)
    /// x, moments, scale, shift, residual (x's shape) → activation(batchNorm(x) + residual), the activation
    /// optional: the end of a residual block in one pass.
    case batchNormAdd(epsilon: Float, Activation?)
    /// x, moments, grad of output → `[2, c]`: the gradients of scale and of shift.
    case batchNormAffineGradient(epsilon: Float)
    /// x, moments, scale, grad of output, affine gradient → grad of x.
    case batchNormInputGradient(epsilon: Float)
    /// x, grad of output → the gradient where x is positive, else 0 (ReLU's backward).
    case reluGradient
    /// x, grad of output → the gradient where 0 < x < 6, else 0 (ReLU6's backward).
    case relu6Gradient

    // MARK: Fused, numerically stable loss
    /// logits `[n, c]`, labels `[n]` (class indices) → loss per example `[n]`, with optional label smoothing.
    case softmaxCrossEntropy(labelSmoothing: Float)
    /// logits, labels, grad `[n]` → grad of logits `[n, c]`.
    case softmaxCrossEntropyGradient(labelSmoothing: Float)

    // MARK: Fused elementwise arithmetic
    /// Operands of one shape → the program's value at each element (``Tensor/evaluate(_:_:)``): an
    /// optimizer's update in one pass. Not differentiable.
    case fusedElementwise(ElementwiseProgram)
}

/// A 2-D convolution's geometry.
public struct Conv2D: Hashable, Sendable {
    public var stride: (Int, Int)
    public var padding: (Int, Int)
    public var groups: Int

    public init(stride: Int = 1, padding: Int = 0, groups: Int = 1) {
        self.stride = (stride, stride)
        self.padding = (padding, padding)
        self.groups = groups
    }

    public static func == (a: Conv2D, b: Conv2D) -> Bool {
        a.stride == b.stride && a.padding == b.padding && a.groups == b.groups
    }

    public func hash(into h: inout Hasher) {
        h.combine(stride.0); h.combine(stride.1); h.combine(padding.0); h.combine(padding.1); h.combine(groups)
    }

    /// Output height and width for an input of `h × w` and a kernel of `kh × kw`.
    public func outputSize(_ h: Int, _ w: Int, _ kh: Int, _ kw: Int) -> (Int, Int) {
        ((h + 2 * padding.0 - kh) / stride.0 + 1, (w + 2 * padding.1 - kw) / stride.1 + 1)
    }
}

/// An activation an op can apply to its result.
public enum Activation: Hashable, Sendable {
    /// max(x, 0).
    case relu
    /// min(max(x, 0), 6).
    case relu6

    /// The activation of one value.
    @inlinable
    public func callAsFunction(_ x: Float) -> Float {
        switch self {
        case .relu: Swift.max(x, 0)
        case .relu6: Swift.min(Swift.max(x, 0), 6)
        }
    }

    /// The op that computes it.
    public var op: Op { self == .relu ? .relu : .relu6 }
    /// The op of its gradient: of its input (or output) and the output's gradient.
    public var gradientOp: Op { self == .relu ? .reluGradient : .relu6Gradient }
}

/// A 2-D pooling window.
public struct Pool2D: Hashable, Sendable {
    public var kernel: Int
    public var stride: Int
    public var padding: Int

    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }

    public func outputSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }
}
