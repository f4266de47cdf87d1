extension Tensor {
    /// Applies a primitive: checks shapes, runs it on the current backend, and records it when an input
    /// is being differentiated.
    public static func apply(_ op: Op, _ inputs: [Tensor]) throws(ComputeError) -> Tensor {
        let shape = try op.outputShape(inputs.map(\.shape))
        let data: TensorData
        do {
            data = try Backends.current.compute(op, inputs, output: shape)
        } catch let error as ComputeError {
            throw error
        } catch {
            throw ComputeError("\(op.name): \(error)")
        }
        let tracked = inputs.contains { $0.node != nil }
        return Tensor(shape: shape, storage: Storage(data), node: tracked ? Node(.op(op, inputs)) : nil)
    }
}
