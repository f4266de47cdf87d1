import Compute

/// Batch normalisation over N, H, W, as PyTorch's BatchNorm2d: scale 1, shift 0; running mean 0 and
/// variance 1, updated with momentum 0.1 from the batch mean and the unbiased batch variance; the
/// running statistics normalise in evaluation mode.
public struct BatchNorm2d: Layer {
    public let path: String
    public let channels: Int
    public let momentum: Float
    public let epsilon: Float

    public init(_ path: String, _ channels: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        self.path = path
        self.channels = channels
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func declare(_ d: inout Declarations) {
        d.parameter(path + ".weight", .ones([channels]))
        d.parameter(path + ".bias", .zeros([channels]))
        d.buffer(path + ".running_mean", .zeros([channels]))
        d.buffer(path + ".running_var", .ones([channels]))
    }

    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor { try forward(x, &c, activation: nil) }

    /// The normalised `x` plus `residual` (when given) through `activation`, in one pass: a ``Sequential``
    /// runs this for a batch norm and its ReLU, a ``Residual`` for the end of its block.
    public func forward(_ x: Tensor, _ c: inout LayerContext, adding residual: Tensor? = nil, activation: Activation?) throws -> Tensor {
        let scale = try c.parameter(path + ".weight"), shift = try c.parameter(path + ".bias")
        let (meanName, varianceName) = (path + ".running_mean", path + ".running_var")
        guard c.training else {
            return try x.batchNorm(scale: scale, shift: shift, mean: c.buffer(meanName), variance: c.buffer(varianceName), epsilon: epsilon,
                                   adding: residual, activation: activation)
        }
        let (y, mean, variance) = try x.batchNorm(scale: scale, shift: shift, epsilon: epsilon, adding: residual, activation: activation)
        let m = Float(x.shape.count / channels)
        let unbiased = m > 1 ? m / (m - 1) : 1
        let keep = Tensor.constant(1 - momentum)
        c.updatedBuffers[meanName] = try c.buffer(meanName) * keep + mean * Tensor.constant(momentum)
        c.updatedBuffers[varianceName] = try c.buffer(varianceName) * keep + variance * Tensor.constant(momentum * unbiased)
        return y
    }
}
