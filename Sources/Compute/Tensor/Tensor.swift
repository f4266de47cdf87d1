/// An n-dimensional array of Float32, contiguous and row-major, with the record of how it was
/// computed when it depends on something being differentiated (see ``valueAndGradient(of:at:)``).
public struct Tensor: Sendable, CustomStringConvertible {
    public let shape: Shape
    let storage: Storage
    /// How this tensor was computed, when it depends on a tensor being differentiated.
    let node: Node?

    /// A tensor with these elements, row-major.
    public init(_ values: [Float], shape: Shape) {
        precondition(values.count == shape.count, "Tensor: \(values.count) values cannot fill shape \(shape)")
        self.shape = shape
        storage = Storage(values)
        node = nil
    }

    /// A scalar.
    public init(_ value: Float) { self.init([value], shape: []) }

    init(shape: Shape, storage: Storage, node: Node?) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    public static func zeros(_ shape: Shape) -> Tensor { Tensor([Float](repeating: 0, count: shape.count), shape: shape) }
    public static func ones(_ shape: Shape) -> Tensor { Tensor([Float](repeating: 1, count: shape.count), shape: shape) }

    /// The elements, row-major.
    public var values: [Float] { storage.values }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(shape.count == 1, "scalar: the tensor has shape \(shape)")
        return storage.values[0]
    }

    /// The same values without the record of how they were computed: gradients stop here.
    public var detached: Tensor { Tensor(shape: shape, storage: storage, node: nil) }

    public var description: String { "Tensor\(shape)\(storage.values.prefix(8))\(shape.count > 8 ? "…" : "")" }
}

/// A tensor's elements; shared between tensors that reshape or detach it.
final class Storage: @unchecked Sendable {
    let values: [Float]
    init(_ values: [Float]) { self.values = values }
}

/// A step of a computation being differentiated: a leaf (an argument of the function) or an op
/// applied to tensors.
final class Node: @unchecked Sendable {
    enum Kind {
        case leaf(Int)
        case op(Op, [Tensor])
    }

    let kind: Kind
    init(_ kind: Kind) { self.kind = kind }
}
