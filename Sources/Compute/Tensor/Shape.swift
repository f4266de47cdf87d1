/// The dimensions of a tensor, outermost first; a scalar has none. Storage is always contiguous
/// and row-major, so a shape is all a tensor needs to find its elements.
public struct Shape: Hashable, Sendable, CustomStringConvertible, ExpressibleByArrayLiteral {
    public var dims: [Int]

    public init(_ dims: [Int]) { self.dims = dims }
    public init(arrayLiteral dims: Int...) { self.dims = dims }

    public var rank: Int { dims.count }
    /// The number of elements.
    public var count: Int { dims.reduce(1, *) }
    public subscript(axis: Int) -> Int { dims[axis] }

    /// Row-major strides, in elements.
    public var strides: [Int] {
        var strides = Array(repeating: 1, count: rank)
        for i in stride(from: rank - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        return strides
    }

    /// `[2, 3]`.
    public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

    /// The shape two operands broadcast to (NumPy's rule: align trailing axes; each pair equal or 1).
    public static func broadcast(_ a: Shape, _ b: Shape, op: String) throws(ComputeError) -> Shape {
        let rank = max(a.rank, b.rank)
        var dims = [Int]()
        for i in 0..<rank {
            let x = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
            let y = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
            guard x == y || x == 1 || y == 1 else { throw .shapes(op: op, a, b, "they do not broadcast") }
            dims.append(max(x, y))
        }
        return Shape(dims)
    }

    /// A non-negative axis from a possibly negative one (-1 is the last).
    public func axis(_ axis: Int, op: String) throws(ComputeError) -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0 && resolved < rank else { throw .invalid(op: op, "axis \(axis) is out of range for shape \(self)") }
        return resolved
    }
}

/// A misuse of the compute API: which op, which shapes, what was expected.
public struct ComputeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func shapes(op: String, _ a: Shape, _ b: Shape, _ why: String) -> ComputeError {
        ComputeError("\(op): shapes \(a) and \(b) are incompatible: \(why)")
    }

    static func invalid(op: String, _ why: String) -> ComputeError { ComputeError("\(op): \(why)") }
}
