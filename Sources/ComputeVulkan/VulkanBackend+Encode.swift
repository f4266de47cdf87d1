import Compute

extension VulkanBackend {
    /// Records the shaders that compute `op`, returning the buffer its result will be in.
    func encode(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> VulkanBuffer {
        let x = inputs.first
        switch op {
        case .negate: return try unary(.negate, x!, output)
        case .exp: return try unary(.exp, x!, output)
        case .log: return try unary(.log, x!, output)
        case .sqrt: return try unary(.sqrt, x!, output)
        case .relu: return try unary(.relu, x!, output)
        case .relu6: return try unary(.relu6, x!, output)
        case .positive: return try unary(.positive, x!, output)
        case .add: return try binary(.add, x!, inputs[1], output)
        case .subtract: return try binary(.subtract, x!, inputs[1], output)
        case .multiply: return try binary(.multiply, x!, inputs[1], output)
        case .divide: return try binary(.divide, x!, inputs[1], output)
        case .equal: return try binary(.equal, x!, inputs[1], output)
        case .reluGradient: return try binary(.reluGradient, x!, inputs[1], output)
        case .relu6Gradient: return try binary(.relu6Gradient, x!, inputs[1], output)
        case .sum: return try reduce(x!, output, maximum: false)
        case .max: return try reduce(x!, output, maximum: true)
        case .reshape: return try buffer(x!)
        case .expand: return try gather(x!, strides: Self.broadcastStrides(x!.shape, to: output), output)
        case .transpose(let permutation):
            let strides = x!.shape.strides
            return try gather(x!, strides: permutation.map { strides[$0] }, output)
        case .slice(let axis, let start, _):
            let a = axis < 0 ? axis + output.rank : axis
            let strides = x!.shape.strides
            return try gather(x!, strides: strides, offset: start * strides[a], output)
        case .concat(let axis): return try concat(inputs, axis: axis < 0 ? axis + output.rank : axis, output)
        case .matmul: return try matmul(x!, inputs[1])
        case .conv2d(let c): return try convolution(x!, inputs[1], c, output)
        case .conv2dInputGradient(let c, let shape): return try convolutionInputGradient(x!, inputs[1], c, inputShape: shape)
        case .conv2dWeightGradient(let c, let shape): return try convolutionWeightGradient(x!, inputs[1], c, weightShape: shape)
        case .maxPool2d(let p): return try pooling(.max, x!, nil, p, input: x!.shape, output)
        case .avgPool2d(let p): return try pooling(.average, x!, nil, p, input: x!.shape, output)
        case .maxPool2dGradient(let p): return try pooling(.maxGradient, x!, inputs[1], p, input: x!.shape, output)
        case .avgPool2dGradient(let p, let shape): return try pooling(.averageGradient, nil, x!, p, input: shape, output)
        case .channelMoments: return try batchNorm(.moments, [0: x!], shape: x!.shape, epsilon: 0, output.count)
        case .batchNorm(let e):
            return try batchNorm(.forward, [0: x!, 1: inputs[1], 2: inputs[2], 3: inputs[3]], shape: x!.shape, epsilon: e, output.count)
        case .batchNormActivation(let e, let activation):
            return try batchNorm(.forward, [0: x!, 1: inputs[1], 2: inputs[2], 3: inputs[3]], shape: x!.shape, epsilon: e, output.count,
                                 activation: activation)
        case .batchNormAdd(let e, let activation):
            return try batchNorm(.forward, [0: x!, 1: inputs[1], 2: inputs[2], 3: inputs[3], 4: inputs[4]], shape: x!.shape, epsilon: e,
                                 output.count, activation: activation)
        case .batchNormAffineGradient(let e):
            return try batchNorm(.affineGradient, [0: x!, 1: inputs[1], 4: inputs[2]], shape: x!.shape, epsilon: e, output.count)
        case .batchNormInputGradient(let e):
            return try batchNorm(.inputGradient, [0: x!, 1: inputs[1], 2: inputs[2], 4: inputs[3], 5: inputs[4]],
                                 shape: x!.shape, epsilon: e, output.count)
        case .softmaxCrossEntropy(let s): return try crossEntropy(gradient: false, x!, inputs[1], nil, smoothing: s)
        case .softmaxCrossEntropyGradient(let s): return try crossEntropy(gradient: true, x!, inputs[1], inputs[2], smoothing: s)
        case .fusedElementwise(let program): return try fusedElementwise(program, inputs, output)
        }
    }
}
