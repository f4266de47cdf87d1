/// Arithmetic over same-shaped operands (or single elements, which stand for every element), element by
/// element, written as an expression (`p - .constant(lr) * (g + .constant(wd) * p)`) and run by
/// ``Tensor/evaluate(_:_:)`` as one op: one pass over memory on the CPU and one kernel on a device, where
/// the same arithmetic written with tensor operators is one op (one kernel, one intermediate tensor) per
/// operator. Optimizers update each parameter so.
public indirect enum ElementwiseExpression: Hashable, Sendable {
    /// The operand at this position of ``Tensor/evaluate(_:_:)``'s list.
    case operand(Int)
    case constant(Float)
    case add(ElementwiseExpression, ElementwiseExpression)
    case subtract(ElementwiseExpression, ElementwiseExpression)
    case multiply(ElementwiseExpression, ElementwiseExpression)
    case divide(ElementwiseExpression, ElementwiseExpression)
    case squareRoot(ElementwiseExpression)

    public static func + (a: Self, b: Self) -> Self { .add(a, b) }
    public static func - (a: Self, b: Self) -> Self { .subtract(a, b) }
    public static func * (a: Self, b: Self) -> Self { .multiply(a, b) }
    public static func / (a: Self, b: Self) -> Self { .divide(a, b) }
    public func squareRoot() -> Self { .squareRoot(self) }
}

/// An ``ElementwiseExpression`` compiled to steps, the form backends run: values are numbered operands
/// first, then constants, then each step's result; the last step's result is the output. Each
/// subexpression and constant appears once, however often the expression repeats it, and every step
/// rounds to Float as the tensor op it stands for does, so the result equals the unfused ops' bit for bit
/// on the CPU.
public struct ElementwiseProgram: Hashable, Sendable {
    /// What a step computes from its values `a` and `b` (`b` unused by unary steps).
    public enum Code: UInt8, Hashable, Sendable {
        case add = 0, subtract, multiply, divide, squareRoot
    }

    public struct Step: Hashable, Sendable {
        public var code: Code
        public var a: Int, b: Int
    }

    /// The most operands, constants and steps a program may have (a device holds the program in its
    /// push constants and binds each operand).
    public static let maximumOperands = 6, maximumConstants = 8, maximumSteps = 16

    public private(set) var operands: Int
    public private(set) var constants: [Float] = []
    public private(set) var steps: [Step] = []

    /// Compiles `expression` over `operands` operands; throws when it reads past them or is larger than
    /// the limits.
    public init(_ expression: ElementwiseExpression, operands: Int) throws(ComputeError) {
        self.operands = operands
        guard operands <= Self.maximumOperands else {
            throw ComputeError("a fused elementwise expression takes at most \(Self.maximumOperands) operands, got \(operands)")
        }
        var constantIndex: [UInt32: Int] = [:]
        var stepIndex: [Step: Int] = [:]
        func value(_ e: ElementwiseExpression) throws(ComputeError) -> Int {
            switch e {
            case .operand(let i):
                guard i >= 0 && i < operands else { throw ComputeError("a fused elementwise expression reads operand \(i) of \(operands)") }
                return i
            case .constant(let c):
                if let index = constantIndex[c.bitPattern] { return index }
                guard constants.count < Self.maximumConstants else {
                    throw ComputeError("a fused elementwise expression holds at most \(Self.maximumConstants) distinct constants")
                }
                constants.append(c)
                constantIndex[c.bitPattern] = constants.count - 1
                return constants.count - 1
            case .add(let x, let y): return try step(.add, x, y)
            case .subtract(let x, let y): return try step(.subtract, x, y)
            case .multiply(let x, let y): return try step(.multiply, x, y)
            case .divide(let x, let y): return try step(.divide, x, y)
            case .squareRoot(let x): return try step(.squareRoot, x, nil)
            }
        }
        // Values are marked by kind while compiling (constants are numbered after the operands once all
        // are known) and renumbered at the end.
        func step(_ code: Code, _ x: ElementwiseExpression, _ y: ElementwiseExpression?) throws(ComputeError) -> Int {
            let a = try reference(x), b = try y.map { e throws(ComputeError) in try reference(e) } ?? 0
            let s = Step(code: code, a: a, b: b)
            if let index = stepIndex[s] { return index }
            guard steps.count < Self.maximumSteps else {
                throw ComputeError("a fused elementwise expression has at most \(Self.maximumSteps) steps")
            }
            steps.append(s)
            stepIndex[s] = Self.stepMark + steps.count - 1
            return Self.stepMark + steps.count - 1
        }
        func reference(_ e: ElementwiseExpression) throws(ComputeError) -> Int {
            if case .constant = e { return Self.constantMark + (try value(e)) }
            return try value(e)
        }
        let result = try reference(expression)
        // A bare operand or constant becomes one step (x + 0).
        if result < Self.stepMark {
            let zero = try reference(.constant(0))
            steps.append(Step(code: .add, a: result, b: zero))
        }
        // Renumber: operands, then constants, then steps.
        let constantBase = operands, stepBase = operands + constants.count
        func renumber(_ v: Int) -> Int {
            v >= Self.stepMark ? stepBase + v - Self.stepMark : v >= Self.constantMark ? constantBase + v - Self.constantMark : v
        }
        steps = steps.map { Step(code: $0.code, a: renumber($0.a), b: $0.code == .squareRoot ? 0 : renumber($0.b)) }
    }

    private static let constantMark = 1 << 20, stepMark = 1 << 21

    /// The shape of a program's result over operands of `shapes`: that of the first operand of more than one
    /// element (or of the first operand), which every operand of more than one element must have; an operand of
    /// one element stands for every element of the result.
    public static func resultShape(_ shapes: [Shape], op: String) throws(ComputeError) -> Shape {
        guard let first = shapes.first else { throw .invalid(op: op, "expects at least one operand") }
        let result = shapes.first { $0.count != 1 } ?? first
        for other in shapes where other.count != 1 && other != result {
            throw .shapes(op: op, result, other, "the operands of a fused expression must have one shape, or one element")
        }
        return result
    }

    /// The values a program computes per element: operands, constants, then one per step.
    public var valueCount: Int { operands + constants.count + steps.count }

    /// The program on one element's operands (`values` holds them first and has room for the rest).
    @inline(__always)
    public func run(_ values: inout [Float]) -> Float {
        for (i, c) in constants.enumerated() { values[operands + i] = c }
        let base = operands + constants.count
        for (i, s) in steps.enumerated() { values[base + i] = Self.apply(s.code, values[s.a], values[s.b]) }
        return values[base + steps.count - 1]
    }

    @inline(__always)
    public static func apply(_ code: Code, _ a: Float, _ b: Float) -> Float {
        switch code {
        case .add: a + b
        case .subtract: a - b
        case .multiply: a * b
        case .divide: a / b
        case .squareRoot: a.squareRoot()
        }
    }
}

extension ElementwiseExpression {
    /// The operands the expression reads, in increasing order.
    var operandsRead: [Int] {
        var found = Set<Int>()
        func walk(_ e: ElementwiseExpression) {
            switch e {
            case .operand(let i): found.insert(i)
            case .constant: break
            case .add(let a, let b), .subtract(let a, let b), .multiply(let a, let b), .divide(let a, let b): walk(a); walk(b)
            case .squareRoot(let a): walk(a)
            }
        }
        walk(self)
        return found.sorted()
    }

    /// The expression with each operand renumbered through `numbers`.
    func renumbered(_ numbers: [Int: Int]) -> ElementwiseExpression {
        switch self {
        case .operand(let i): .operand(numbers[i] ?? i)
        case .constant: self
        case .add(let a, let b): .add(a.renumbered(numbers), b.renumbered(numbers))
        case .subtract(let a, let b): .subtract(a.renumbered(numbers), b.renumbered(numbers))
        case .multiply(let a, let b): .multiply(a.renumbered(numbers), b.renumbered(numbers))
        case .divide(let a, let b): .divide(a.renumbered(numbers), b.renumbered(numbers))
        case .squareRoot(let a): .squareRoot(a.renumbered(numbers))
        }
    }
}

extension Tensor {
    /// `expression` over `operands`, element by element, as one op that reads only the operands the expression
    /// uses. The operands have one shape, the result's, but for operands of one element, which stand for every
    /// element (a scalar computed on the device, such as a gradient clipping factor). Not differentiable: an
    /// operand being differentiated is refused.
    public static func evaluate(_ expression: ElementwiseExpression, _ operands: [Tensor]) throws(ComputeError) -> Tensor {
        guard operands.allSatisfy({ $0.node == nil }) else {
            throw ComputeError("fusedElementwise is not differentiable; detach its operands or write the expression with tensor operators")
        }
        var read = expression.operandsRead
        if let outside = read.first(where: { $0 < 0 || $0 >= operands.count }) {
            throw ComputeError("a fused elementwise expression reads operand \(outside) of \(operands.count)")
        }
        if !operands.isEmpty {
            // The result takes its shape from every operand, also those the expression does not read: where the
            // ones it reads would give another (one element, or none read), the operand that shapes it goes too.
            let shape = try ElementwiseProgram.resultShape(operands.map(\.shape), op: "fusedElementwise")
            let readShape = read.isEmpty ? nil : try ElementwiseProgram.resultShape(read.map { operands[$0].shape }, op: "fusedElementwise")
            if readShape != shape {
                read = (read + [operands.firstIndex { $0.shape == shape }!]).sorted()
            }
        }
        guard read.count < operands.count else {
            return try apply(.fusedElementwise(try ElementwiseProgram(expression, operands: operands.count)), operands)
        }
        let numbers = Dictionary(uniqueKeysWithValues: read.enumerated().map { ($0.element, $0.offset) })
        return try apply(.fusedElementwise(try ElementwiseProgram(expression.renumbered(numbers), operands: read.count)), read.map { operands[$0] })
    }
}
