import Compute

/// What a ``ParameterwiseOptimizer``'s update computes from: the tensors its fused expressions start with, and
/// the expressions that read the gradient and the parameter among them. Operand 0 is the gradient, 1 the
/// parameter and, when the step scales its gradients (``GradientClipping/factor(_:maxNorm:)``), 2 the scale, a
/// tensor of one element that ``gradient`` multiplies operand 0 by, in the kernel that reads it. An update appends
/// its state after them (``ParameterwiseOptimizer/accumulated(_:like:decay:plus:operands:)``).
public struct UpdateOperands {
    /// The tensors the expressions read.
    public let tensors: [Tensor]
    /// The gradient, scaled when the step has a scale.
    public let gradient: ElementwiseExpression
    /// The parameter.
    public let parameter = ElementwiseExpression.operand(1)

    public init(gradient: Tensor, parameter: Tensor, scale: Tensor?) {
        tensors = scale.map { [gradient, parameter, $0] } ?? [gradient, parameter]
        self.gradient = scale == nil ? .operand(0) : .operand(0) * .operand(2)
    }

    /// The gradient as the backward pass computed it (unscaled).
    public var gradientTensor: Tensor { tensors[0] }
    /// The parameter before the step.
    public var parameterTensor: Tensor { tensors[1] }
}
