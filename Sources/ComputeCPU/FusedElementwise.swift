import Compute

/// ``ElementwiseProgram``s on the CPU: each chunk of elements runs the program a block at a time, one
/// step over the whole block before the next, so that every step is a loop the compiler vectorises and
/// the operands are read once.
enum FusedElementwise {
    /// Elements per block: every step's results for a block stay in the cache.
    static let block = 512

    static func run(_ program: ElementwiseProgram, _ inputs: [Tensor]) -> [Float] {
        let operands = inputs.map(\.values)
        let count = operands.first?.count ?? 0
        guard count > 0 else { return [] }
        return withPointers(operands) { sources in
            [Float](unsafeUninitializedCapacity: count) { result, initialized in
                let target = result.baseAddress!
                Loops.chunked(count) { range in
                    run(program, sources, range, into: target)
                }
                initialized = count
            }
        }
    }

    /// The program over `range`, a block at a time, into `target`.
    private static func run(_ program: ElementwiseProgram, _ sources: [UnsafePointer<Float>], _ range: Range<Int>,
                            into target: UnsafeMutablePointer<Float>) {
        let steps = program.steps, constants = program.constants, operands = program.operands
        // One row per constant (filled once) and per step but the last, which writes to the target.
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: (constants.count + steps.count) * block)
        defer { rows.deallocate() }
        for (c, value) in constants.enumerated() { (rows + c * block).initialize(repeating: value, count: block) }
        let stepRows = rows + constants.count * block
        var start = range.lowerBound
        while start < range.upperBound {
            let length = Swift.min(block, range.upperBound - start)
            func row(_ value: Int) -> UnsafePointer<Float> {
                if value < operands { return sources[value] + start }
                if value < operands + constants.count { return UnsafePointer(rows + (value - operands) * block) }
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
