import Compute

/// Elementwise ops, movement and reductions: the elementwise and reduce shaders.
extension VulkanBackend {
    /// The elementwise shader's op codes.
    enum ElementwiseCode: UInt32 {
        case add = 0, subtract, multiply, divide, equal, reluGradient, relu6Gradient
        case negate = 10, exp, log, sqrt, relu, positive, copy, relu6
    }

    static let maximumRank = 6

    /// Output `[dims]` from operands addressed by strides: `c[cOffset + Σ i·cStrides] = f(a[…], b[…])`.
    func elementwise(_ code: ElementwiseCode, a: VulkanBuffer, b: VulkanBuffer? = nil, into c: VulkanBuffer,
                     dims: [Int], strides: [[Int]], aOffset: Int = 0, cOffset: Int = 0) throws {
        let count = dims.reduce(1, *)
        guard count > 0 else { return }
        let (merged, mergedStrides) = Self.coalesce(dims, strides)
        guard merged.count <= Self.maximumRank else {
            throw ComputeError("vulkan: \(code) on rank \(merged.count) (after merging axes) is beyond the supported \(Self.maximumRank)")
        }
        func padded(_ values: [Int]) -> [UInt32] { values.map(UInt32.init) + Array(repeating: 0, count: Self.maximumRank - values.count) }
        let constants: [UInt32] = [UInt32(count), code.rawValue, UInt32(merged.count), UInt32(aOffset), UInt32(cOffset)]
            + padded(merged) + padded(mergedStrides[0]) + padded(mergedStrides[1]) + padded(mergedStrides[2])
        var buffers = [0: a, 6: c]
        if let b { buffers[1] = b }
        try dispatch(.elementwise, buffers, constants, groups: Self.groups(count, 256))
    }

    /// Drops axes of size 1 and merges neighbours that every operand walks contiguously, so that most
    /// ops become rank 1.
    static func coalesce(_ dims: [Int], _ strides: [[Int]]) -> ([Int], [[Int]]) {
        var outDims: [Int] = []
        var outStrides = strides.map { _ in [Int]() }
        for axis in dims.indices where dims[axis] != 1 {
            if let last = outDims.indices.last, strides.indices.allSatisfy({ outStrides[$0][last] == strides[$0][axis] * dims[axis] }) {
                outDims[last] *= dims[axis]
                for s in strides.indices { outStrides[s][last] = strides[s][axis] }
            } else {
                outDims.append(dims[axis])
                for s in strides.indices { outStrides[s].append(strides[s][axis]) }
            }
        }
        if outDims.isEmpty { return ([1], strides.map { _ in [0] }) }
        return (outDims, outStrides)
    }

    /// The strides that read `shape` broadcast to `output` (0 along broadcast axes).
    static func broadcastStrides(_ shape: Shape, to output: Shape) -> [Int] {
        let offset = output.rank - shape.rank
        let strides = shape.strides
        return (0..<output.rank).map { axis in
            axis < offset || shape[axis - offset] == 1 ? 0 : strides[axis - offset]
        }
    }

    func unary(_ code: ElementwiseCode, _ x: Tensor, _ output: Shape) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        try elementwise(code, a: try buffer(x), into: result, dims: [output.count], strides: [[1], [0], [1]])
        return result
    }

    func binary(_ code: ElementwiseCode, _ x: Tensor, _ y: Tensor, _ output: Shape) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        try elementwise(code, a: try buffer(x), b: try buffer(y), into: result, dims: output.dims,
                        strides: [Self.broadcastStrides(x.shape, to: output), Self.broadcastStrides(y.shape, to: output), output.strides])
        return result
    }

    /// A fused elementwise program over same-shaped operands, one dispatch: the program travels in
    /// the push constants (counts, steps packed as code | a << 8 | b << 16, then the constants).
    func fusedElementwise(_ program: ElementwiseProgram, _ inputs: [Tensor], _ output: Shape) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        guard output.count > 0 else { return result }
        var buffers = [6: result]
        for (binding, input) in inputs.enumerated() { buffers[binding] = try buffer(input) }
        let steps = program.steps.map { UInt32($0.code.rawValue) | UInt32($0.a) << 8 | UInt32($0.b) << 16 }
        let single = inputs.enumerated().reduce(UInt32(0)) { $0 | ($1.element.shape.count == 1 ? 1 << UInt32($1.offset) : 0) }
        let constants = [UInt32(output.count), UInt32(program.operands), UInt32(program.constants.count), UInt32(steps.count), single]
            + steps + [UInt32](repeating: 0, count: ElementwiseProgram.maximumSteps - steps.count)
            + program.constants.map(\.bitPattern)
        try dispatch(.fusedElementwise, buffers, constants, groups: Self.groups(output.count, 256))
        return result
    }

    /// A copy of `x` read through `strides` from `offset`, laid out as `output`.
    func gather(_ x: Tensor, strides: [Int], offset: Int = 0, _ output: Shape) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        try elementwise(.copy, a: try buffer(x), into: result, dims: output.dims, strides: [strides, [Int](repeating: 0, count: output.rank), output.strides],
                        aOffset: offset)
        return result
    }

    func concat(_ inputs: [Tensor], axis: Int, _ output: Shape) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        var start = 0
        for input in inputs {
            try elementwise(.copy, a: try buffer(input), into: result, dims: input.shape.dims,
                            strides: [input.shape.strides, [Int](repeating: 0, count: input.shape.rank), output.strides],
                            cOffset: start * output.strides[axis])
            start += input.shape[axis]
        }
        return result
    }

    /// Sum (code 0) or maximum (code 1) over the axes where `output` has size 1 and `x` does not.
    func reduce(_ x: Tensor, _ output: Shape, maximum: Bool) throws -> VulkanBuffer {
        let result = try allocate(output.count)
        guard output.count > 0 else { return result }
        try reduce(try buffer(x), shape: x.shape, reducedAxes: Set(x.shape.dims.indices.filter { output[$0] == 1 && x.shape[$0] != 1 }),
                   maximum: maximum, into: result)
        return result
    }

    /// Reduces `source` (of `shape`) over `reducedAxes` into `result`, in the order of the kept axes.
    func reduce(_ source: VulkanBuffer, shape: Shape, reducedAxes: Set<Int>, maximum: Bool, into result: VulkanBuffer) throws {
        let strides = shape.strides
        let kept = shape.dims.indices.filter { !reducedAxes.contains($0) }
        let reduced = shape.dims.indices.filter { reducedAxes.contains($0) }
        let (keptDims, keptStrides) = Self.coalesce(kept.map { shape[$0] }, [kept.map { strides[$0] }])
        let (reducedDims, reducedStrides) = Self.coalesce(reduced.map { shape[$0] }, [reduced.map { strides[$0] }])
        guard keptDims.count <= Self.maximumRank && reducedDims.count <= Self.maximumRank else {
            throw ComputeError("vulkan: a reduction over \(shape) is beyond rank \(Self.maximumRank)")
        }
        func padded(_ values: [Int]) -> [UInt32] { values.map(UInt32.init) + Array(repeating: 0, count: Self.maximumRank - values.count) }
        let outputs = keptDims.reduce(1, *), count = reducedDims.reduce(1, *)
        let constants: [UInt32] = [UInt32(outputs), UInt32(count), maximum ? 1 : 0, UInt32(keptDims.count), UInt32(reducedDims.count)]
            + padded(keptDims) + padded(keptStrides[0]) + padded(reducedDims) + padded(reducedStrides[0])
        try dispatch(.reduce, [0: source, 6: result], constants, groups: (min(outputs, 65535), 1, 1))
    }
}
