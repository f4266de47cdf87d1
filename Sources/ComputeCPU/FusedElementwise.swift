import Compute

/// ``ElementwiseProgram``s on the CPU: each chunk of elements runs the program a block at a time, one
/// step over the whole block before the next, so that every step is a loop the compiler vectorises and
/// the operands are read once. An operand of one element stands for every element of the `count`.
enum FusedElementwise {
    /// Elements per block: every step's results for a block stay in the cache.
    static let block = 512

    static func run(_ program: ElementwiseProgram, _ inputs: [Tensor], count: Int) -> [Float] {
        let operands = inputs.map(\.values)
        guard count > 0 else { return [] }
        let single = operands.map { $0.count == 1 && count > 1 }
        return withPointers(operands) { sources in
            [Float](unsafeUninitializedCapacity: count) { result, initialized in
                let target = result.baseAddress!
                Loops.chunked(count) { range in
                    run(program, sources, single: single, range, into: target)
                }
                initialized = count
            }
        }
    }

    /// The program over `range`, a block at a time, into `target`; the `single` operands' one element stands for
    /// every element.
    private static func run(_ program: ElementwiseProgram, _ sources: [UnsafePointer<Float>], single: [Bool], _ range: Range<Int>,
                            into target: UnsafeMutablePointer<Float>) {
        let steps = program.steps, constants = program.constants, operands = program.operands
        // One row per one-element operand and per constant (filled once), and per step but the last, which writes
        // to the target.
        let filled = single.filter { $0 }.count + constants.count
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: (filled + steps.count) * block)
        defer { rows.deallocate() }
        var operandRows: [UnsafePointer<Float>?] = []
        for (o, source) in sources.enumerated() {
            guard single[o] else { operandRows.append(nil); continue }
            let row = rows + operandRows.compactMap { $0 }.count * block
            row.initialize(repeating: source.pointee, count: block)
            operandRows.append(UnsafePointer(row))
        }
        let constantRows = rows + (filled - constants.count) * block
        for (c, value) in constants.enumerated() { (constantRows + c * block).initialize(repeating: value, count: block) }
        let stepRows = rows + filled * block
        var start = range.lowerBound
        while start < range.upperBound {
            let length = Swift.min(block, range.upperBound - start)
            func row(_ value: Int) -> UnsafePointer<Float> {
                if value < operands { return operandRows[value] ?? sources[value] + start }
                if value < operands + constants.count { return UnsafePointer(constantRows + (value - operands) * block) }
                return UnsafePointer(stepRows + (value - operands - constants.count) * block)
            }
            for (s, step) in steps.enumerated() {
                let out = s == steps.count - 1 ? target + start : stepRows + s * block
                let a = row(step.a), b = row(step.b)
                switch step.code {
                case .add: for i in 0..<length { out[i] = a[i] + b[i] }
                case .subtract: for i in 0..<length { out[i] = a[i] - b[i] }
                case .multiply: for i in 0..<length { out[i] = a[i] * b[i] }
                case .divide: for i in 0..<length { out[i] = a[i] / b[i] }
                case .squareRoot: for i in 0..<length { out[i] = a[i].squareRoot() }
                }
            }
            start += length
        }
    }

    /// `body` with a pointer to each array's first element (none is empty).
    private static func withPointers<R>(_ arrays: [[Float]], _ body: ([UnsafePointer<Float>]) -> R) -> R {
        func nest(_ i: Int, _ pointers: [UnsafePointer<Float>]) -> R {
            guard i < arrays.count else { return body(pointers) }
            return arrays[i].withUnsafeBufferPointer { nest(i + 1, pointers + [$0.baseAddress!]) }
        }
        return nest(0, [])
    }
}
