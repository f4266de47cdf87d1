import Compute

/// Transpose, slice and concatenation as block copies.
enum FastMovement {
    /// Copies blocks: the elements before `axis` form `outer` rows; each input contributes a
    /// contiguous run to each row.
    static func slice(_ input: Tensor, axis: Int, start: Int, _ output: Shape) -> [Float] {
        let dims = input.shape.dims
        let inner = dims[(axis + 1)...].reduce(1, *), outer = dims[..<axis].reduce(1, *)
        let (run, stride) = (output[axis] * inner, dims[axis] * inner)
        return input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: output.count) { r, n in
                for row in 0..<outer {
                    (r.baseAddress! + row * run).initialize(from: x.baseAddress! + row * stride + start * inner, count: run)
                }
                n = output.count
            }
        }
    }

    static func concat(_ inputs: [Tensor], axis: Int, _ output: Shape) -> [Float] {
        let dims = output.dims
        let inner = dims[(axis + 1)...].reduce(1, *), outer = dims[..<axis].reduce(1, *)
        let stride = dims[axis] * inner
        return [Float](unsafeUninitializedCapacity: output.count) { r, n in
            var offset = 0
            for input in inputs {
                let run = input.shape[axis] * inner
                input.values.withUnsafeBufferPointer { x in
                    for row in 0..<outer {
                        (r.baseAddress! + row * stride + offset).initialize(from: x.baseAddress! + row * run, count: run)
                    }
                }
                offset += run
            }
            n = output.count
        }
    }

    /// Walks the output in order, the input by the permuted strides (an odometer).
    static func transpose(_ input: Tensor, _ permutation: [Int], _ output: Shape) -> [Float] {
        let rank = output.rank
        guard rank > 0 else { return input.values }
        let strides = permutation.map { input.shape.strides[$0] }
        let inner = output[rank - 1], innerStride = strides[rank - 1]
        return input.values.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: output.count) { r, n in
                var counter = Array(repeating: 0, count: rank)
                var (source, o) = (0, 0)
                while o < output.count {
                    for j in 0..<inner { r[o + j] = x[source + j * innerStride] }
                    o += inner
                    var axis = rank - 2
                    while axis >= 0 {
                        counter[axis] += 1
                        source += strides[axis]
                        if counter[axis] < output[axis] { break }
                        source -= strides[axis] * output[axis]
                        counter[axis] = 0
                        axis -= 1
                    }
                }
                n = output.count
            }
        }
    }
}
