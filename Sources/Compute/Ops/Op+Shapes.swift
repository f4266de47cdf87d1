extension Op {
    /// A short name for messages: "add", "conv2d".
    public var name: String {
        switch self {
        case .negate: "negate"
        case .exp: "exp"
        case .log: "log"
        case .sqrt: "sqrt"
        case .relu: "relu"
        case .relu6: "relu6"
        case .positive: "positive"
        case .add: "add"
        case .subtract: "subtract"
        case .multiply: "multiply"
        case .divide: "divide"
        case .equal: "equal"
        case .sum: "sum"
        case .max: "max"
        case .reshape: "reshape"
        case .transpose: "transpose"
        case .expand: "expand"
        case .slice: "slice"
        case .concat: "concat"
        case .matmul: "matmul"
        case .conv2d: "conv2d"
        case .conv2dInputGradient: "conv2dInputGradient"
        case .conv2dWeightGradient: "conv2dWeightGradient"
        case .maxPool2d: "maxPool2d"
        case .maxPool2dGradient: "maxPool2dGradient"
        case .avgPool2d: "avgPool2d"
        case .avgPool2dGradient: "avgPool2dGradient"
        case .channelMoments: "channelMoments"
        case .batchNorm: "batchNorm"
        case .batchNormActivation: "batchNormActivation"
        case .batchNormAdd: "batchNormAdd"
        case .batchNormAffineGradient: "batchNormAffineGradient"
        case .batchNormInputGradient: "batchNormInputGradient"
        case .reluGradient: "reluGradient"
        case .relu6Gradient: "relu6Gradient"
        case .softmaxCrossEntropy: "softmaxCrossEntropy"
        case .softmaxCrossEntropyGradient: "softmaxCrossEntropyGradient"
        case .fusedElementwise: "fusedElementwise"
        }
    }

    /// The shape of the result, or an error naming the op and the shapes that do not fit.
    public func outputShape(_ inputs: [Shape]) throws(ComputeError) -> Shape {
        func arity(_ n: Int) throws(ComputeError) {
            guard inputs.count == n else { throw .invalid(op: name, "expects \(n) inputs, got \(inputs.count)") }
        }
        func rank(_ shape: Shape, _ r: Int, _ what: String) throws(ComputeError) {
            guard shape.rank == r else { throw .invalid(op: name, "\(what) must have rank \(r), got shape \(shape)") }
        }
        switch self {
        case .negate, .exp, .log, .sqrt, .relu, .relu6, .positive:
            try arity(1)
            return inputs[0]
        case .add, .subtract, .multiply, .divide, .equal:
            try arity(2)
            return try Shape.broadcast(inputs[0], inputs[1], op: name)
        case .sum(let axes), .max(let axes):
            try arity(1)
            var dims = inputs[0].dims
            for axis in axes { dims[try inputs[0].axis(axis, op: name)] = 1 }
            return Shape(dims)
        case .reshape(let shape):
            try arity(1)
            guard shape.count == inputs[0].count else {
                throw .shapes(op: name, inputs[0], shape, "they hold \(inputs[0].count) and \(shape.count) elements")
            }
            return shape
        case .transpose(let permutation):
            try arity(1)
            guard permutation.sorted() == Array(0..<inputs[0].rank) else {
                throw .invalid(op: name, "\(permutation) is not a permutation of the axes of \(inputs[0])")
            }
            return Shape(permutation.map { inputs[0].dims[$0] })
        case .expand(let shape):
            try arity(1)
            guard try Shape.broadcast(inputs[0], shape, op: name) == shape else {
                throw .shapes(op: name, inputs[0], shape, "the first does not broadcast to the second")
            }
            return shape
        case .slice(let axis, let start, let count):
            try arity(1)
            let a = try inputs[0].axis(axis, op: name)
            guard start >= 0, count >= 0, start + count <= inputs[0].dims[a] else {
                throw .invalid(op: name, "\(start)..<\(start + count) is out of range for axis \(axis) of \(inputs[0])")
            }
            var dims = inputs[0].dims
            dims[a] = count
            return Shape(dims)
        case .concat(let axis):
            guard let first = inputs.first else { throw .invalid(op: name, "needs at least one input") }
            let a = try first.axis(axis, op: name)
            var dims = first.dims
            dims[a] = 0
            for shape in inputs {
                var other = shape.dims
                guard other.count == dims.count else { throw .shapes(op: name, first, shape, "ranks differ") }
                dims[a] += other[a]
                other[a] = first.dims[a]
                guard other == first.dims else { throw .shapes(op: name, first, shape, "they differ outside axis \(axis)") }
            }
            return Shape(dims)
        case .matmul:
            try arity(2)
            try rank(inputs[0], 2, "the left operand")
            try rank(inputs[1], 2, "the right operand")
            guard inputs[0][1] == inputs[1][0] else {
                throw .shapes(op: name, inputs[0], inputs[1], "inner dimensions \(inputs[0][1]) and \(inputs[1][0]) differ")
            }
            return [inputs[0][0], inputs[1][1]]
        case .conv2d(let c):
            try arity(2)
            let (x, w) = (inputs[0], inputs[1])
            try rank(x, 4, "the input")
            try rank(w, 4, "the weight")
            guard c.groups >= 1, x[1] % c.groups == 0, w[0] % c.groups == 0, w[1] * c.groups == x[1] else {
                throw .shapes(op: name, x, w, "input channels \(x[1]) do not match weight \(w[1]) × groups \(c.groups)")
            }
            let (oh, ow) = c.outputSize(x[2], x[3], w[2], w[3])
            guard oh > 0, ow > 0 else { throw .shapes(op: name, x, w, "the kernel is larger than the padded input") }
            return [x[0], w[0], oh, ow]
        case .conv2dInputGradient(_, let shape):
            try arity(2)
            return shape
        case .conv2dWeightGradient(_, let shape):
            try arity(2)
            return shape
        case .maxPool2d(let p), .avgPool2d(let p):
            try arity(1)
            try rank(inputs[0], 4, "the input")
            let (oh, ow) = p.outputSize(inputs[0][2], inputs[0][3])
            guard oh > 0, ow > 0, p.kernel > 0, p.stride > 0 else { throw .invalid(op: name, "window \(p.kernel) does not fit \(inputs[0])") }
            return [inputs[0][0], inputs[0][1], oh, ow]
        case .maxPool2dGradient:
            try arity(2)
            return inputs[0]
        case .avgPool2dGradient(_, let shape):
            try arity(1)
            return shape
        case .channelMoments:
            try arity(1)
            try rank(inputs[0], 4, "the input")
            return [2, inputs[0][1]]
        case .batchNorm, .batchNormActivation, .batchNormAdd:
            if case .batchNormAdd = self {
                try arity(5)
                guard inputs[4] == inputs[0] else { throw .shapes(op: name, inputs[0], inputs[4], "the residual must have the input's shape") }
            } else {
                try arity(4)
            }
            try rank(inputs[0], 4, "the input")
            let c = inputs[0][1]
            guard inputs[1] == [2, c] else { throw .shapes(op: name, inputs[0], inputs[1], "moments must be [2, \(c)]") }
            guard inputs[2] == [c] else { throw .shapes(op: name, inputs[0], inputs[2], "scale must have one element per channel") }
            guard inputs[3] == [c] else { throw .shapes(op: name, inputs[0], inputs[3], "shift must have one element per channel") }
            return inputs[0]
        case .batchNormAffineGradient:
            try arity(3)
            return [2, inputs[0][1]]
        case .batchNormInputGradient:
            try arity(5)
            return inputs[0]
        case .reluGradient, .relu6Gradient:
            try arity(2)
            guard inputs[0] == inputs[1] else { throw .shapes(op: name, inputs[0], inputs[1], "they differ") }
            return inputs[0]
        case .softmaxCrossEntropy:
            try arity(2)
            try rank(inputs[0], 2, "the logits")
            guard inputs[1] == [inputs[0][0]] else {
                throw .shapes(op: name, inputs[0], inputs[1], "expected one label per row of logits")
            }
            return [inputs[0][0]]
        case .softmaxCrossEntropyGradient:
            try arity(3)
            return inputs[0]
        case .fusedElementwise(let program):
            try arity(program.operands)
            return try ElementwiseProgram.resultShape(inputs, op: name)
        }
    }
}
