import Compute

/// Activations stay channels-last (NHWC) from one layer to the next: convolutions take and return them
/// so, and the ops between convolutions — batch normalisation, activations, elementwise arithmetic,
/// reductions, concatenation — compute on them as they are when an input is held so. Everything else
/// reads a tensor's values, which converts it to NCHW once.
extension CPUBackend {
    public func compute(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> TensorData {
        if let result = try computeChannelsLast(op, inputs, output) { return result }
        return .host(try run(op, inputs, output: output))
    }

    /// The op on channels-last operands, or nil when it is not one that runs so here.
    private func computeChannelsLast(_ op: Op, _ inputs: [Tensor], _ output: Shape) throws -> TensorData? {
        switch op {
        case .conv2d(let c):
            let x = ChannelsLast.elements(inputs[0])
            return held(try convolution.run(.forward, x, inputs[1].values, conv: c, input: inputs[0].shape,
                                            weight: inputs[1].shape, output: output, result: output), output)
        case .conv2dInputGradient(let c, let inputShape):
            let g = ChannelsLast.elements(inputs[0])
            return held(try convolution.run(.inputGradient, g, inputs[1].values, conv: c, input: inputShape,
                                            weight: inputs[1].shape, output: inputs[0].shape, result: inputShape), output)
        case .conv2dWeightGradient(let c, let weightShape):
            let (x, g) = (ChannelsLast.elements(inputs[0]), ChannelsLast.elements(inputs[1]))
            return .host(try convolution.run(.weightGradient, x, g, conv: c, input: inputs[0].shape,
                                             weight: weightShape, output: inputs[1].shape, result: weightShape))
        case .expand where output.rank == 4 && inputs[0].shape.rank == 4 && inputs[0].shape[2] * inputs[0].shape[3] == 1:
            // A value per image and channel over each plane (global pooling's gradient), for the activations it meets.
            return held(ChannelsLast.expandOverPlanes(ChannelsLast.physical(inputs[0], against: output), output), output)
        default:
            break
        }
        guard inputs.contains(where: ChannelsLast.isHeld) else { return nil }
        let x = inputs[0]
        switch op {
        case .channelMoments:
            return .host(ChannelsLastBatchNorm.moments(ChannelsLast.elements(x), x.shape, threads: threads))
        case .batchNorm(let e):
            return held(ChannelsLastBatchNorm.forward(ChannelsLast.elements(x), x.shape, inputs[1].values, inputs[2].values,
                                                      inputs[3].values, epsilon: e, threads: threads), output)
        case .batchNormActivation(let e, let activation):
            return held(ChannelsLastBatchNorm.forward(ChannelsLast.elements(x), x.shape, inputs[1].values, inputs[2].values,
                                                      inputs[3].values, epsilon: e, threads: threads, activation: activation), output)
        case .batchNormAdd(let e, let activation):
            return held(ChannelsLastBatchNorm.forward(ChannelsLast.elements(x), x.shape, inputs[1].values, inputs[2].values,
                                                      inputs[3].values, epsilon: e, threads: threads, adding: ChannelsLast.elements(inputs[4]),
                                                      activation: activation), output)
        case .batchNormAffineGradient(let e):
            guard inputs[2].shape == x.shape else { return nil }
            return .host(ChannelsLastBatchNorm.affineGradient(ChannelsLast.elements(x), x.shape, inputs[1].values,
                                                              ChannelsLast.elements(inputs[2]), epsilon: e, threads: threads))
        case .batchNormInputGradient(let e):
            guard inputs[3].shape == x.shape else { return nil }
            return held(ChannelsLastBatchNorm.inputGradient(ChannelsLast.elements(x), x.shape, inputs[1].values, inputs[2].values,
                                                            ChannelsLast.elements(inputs[3]), inputs[4].values, epsilon: e,
                                                            threads: threads), output)
        case .negate, .exp, .log, .sqrt, .relu, .relu6, .positive, .add, .subtract, .multiply, .divide, .equal,
             .reluGradient, .relu6Gradient, .fusedElementwise:
            guard output.rank == 4 else { return nil }
            let physical = inputs.map { ChannelsLast.physical($0, against: output) }
            return held(try run(op, physical, output: ChannelsLast.physicalShape(output)), output)
        case .sum(let axes), .max(let axes):
            guard x.shape.rank == 4, inputs.count == 1 else { return nil }
            let mapped = axes.map { ChannelsLast.physicalAxis($0 < 0 ? $0 + 4 : $0) }.sorted()
            let physicalOp: Op = if case .sum = op { .sum(axes: mapped) } else { .max(axes: mapped) }
            let physical = Tensor(ChannelsLast.elements(x), shape: ChannelsLast.physicalShape(x.shape))
            return held(try run(physicalOp, [physical], output: ChannelsLast.physicalShape(output)), output)
        case .maxPool2d(let p):
            return held(ChannelsLastPooling.max(ChannelsLast.elements(x), x.shape, p, threads: threads), output)
        case .maxPool2dGradient(let p):
            return held(ChannelsLastPooling.maxGradient(ChannelsLast.elements(x), x.shape, ChannelsLast.elements(inputs[1]), p,
                                                        threads: threads), output)
        case .avgPool2d(let p):
            return held(ChannelsLastPooling.average(ChannelsLast.elements(x), x.shape, p, threads: threads), output)
        case .avgPool2dGradient(let p, let inputShape):
            return held(ChannelsLastPooling.averageGradient(ChannelsLast.elements(x), inputShape, p, threads: threads), output)
        case .slice(let axis, let start, let count):
            guard output.rank == 4 else { return nil }
            let physical = Tensor(ChannelsLast.elements(x), shape: ChannelsLast.physicalShape(x.shape))
            return held(try run(.slice(axis: ChannelsLast.physicalAxis(axis < 0 ? axis + 4 : axis), start: start, count: count),
                                [physical], output: ChannelsLast.physicalShape(output)), output)
        case .concat(let axis):
            guard output.rank == 4 else { return nil }
            let physical = inputs.map { Tensor(ChannelsLast.elements($0), shape: ChannelsLast.physicalShape($0.shape)) }
            return held(try run(.concat(axis: ChannelsLast.physicalAxis(axis < 0 ? axis + 4 : axis)), physical,
                                output: ChannelsLast.physicalShape(output)), output)
        default:
            return nil
        }
    }

    private func held(_ elements: [Float], _ shape: Shape) -> TensorData {
        .device(ChannelsLastStorage(elements, shape: shape))
    }
}

extension TensorData {
    /// The elements row-major, converting a channels-last result.
    func rowMajorValues() throws -> [Float] {
        switch self {
        case .host(let values): values
        case .device(let storage): try storage.read()
        }
    }
}
