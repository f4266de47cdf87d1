import Compute
import ComputeCPU
import Foundation
import Testing

@Suite("Fused elementwise expressions")
struct ElementwiseProgramTests {
    typealias E = ElementwiseExpression

    @Test("a subexpression or constant the expression repeats is computed or held once")
    func sharing() throws {
        let d = E.operand(0) + .constant(0.01) * .operand(1)
        let program = try ElementwiseProgram(.constant(0.001) * d * d + .constant(0.01), operands: 2)
        #expect(program.constants == [0.001, 0.01])
        // 0.01·p, g + that, 0.001·d, that·d, + 0.01: five steps, d once.
        #expect(program.steps.count == 5)
        #expect(program.valueCount == 2 + 2 + 5)
    }

    @Test("an operand or a constant alone is a program of one step")
    func bare() throws {
        let x = distinct([2, 3], seed: 3)
        try Backends.with(ReferenceBackend()) {
            let operand = try Tensor.evaluate(.operand(0), [x]), constant = try Tensor.evaluate(.constant(2.5), [x])
            #expect(operand.values == x.values)
            #expect(constant.values == [Float](repeating: 2.5, count: 6))
        }
    }

    @Test("only the operands the expression reads are handed to the op; the others must still have its shape")
    func unusedOperands() throws {
        let (a, b, c) = (distinct([4, 5], seed: 4), distinct([4, 5], seed: 5), distinct([4, 5], seed: 6))
        try Backends.with(ReferenceBackend()) {
            let result = try Tensor.evaluate(.operand(2) * .constant(2) - .operand(0), [a, b, c])
            #expect(result.values == zip(c.values, a.values).map { $0 * 2 - $1 })
            #expect(throws: ComputeError.self) { _ = try Tensor.evaluate(.operand(0), [a, .zeros([3])]) }
            #expect(throws: ComputeError("a fused elementwise expression reads operand 3 of 3")) {
                _ = try Tensor.evaluate(.operand(3), [a, b, c])
            }
        }
    }

    @Test("what a program may not hold is refused, saying what", arguments: [
        ("operands", "a fused elementwise expression takes at most 6 operands, got 7"),
        ("operand", "a fused elementwise expression reads operand 2 of 2"),
        ("constants", "a fused elementwise expression holds at most 8 distinct constants"),
        ("steps", "a fused elementwise expression has at most 16 steps"),
    ])
    func limits(_ what: String, _ message: String) {
        #expect(throws: ComputeError(message)) {
            switch what {
            case "operands": _ = try ElementwiseProgram(.operand(0), operands: 7)
            case "operand": _ = try ElementwiseProgram(.operand(0) + .operand(2), operands: 2)
            case "constants": _ = try ElementwiseProgram((0..<9).map { E.constant(Float($0) + 1) }.reduce(E.operand(0), +), operands: 1)
            default: _ = try ElementwiseProgram((0..<17).reduce(E.operand(0)) { e, _ in e * .operand(0) }, operands: 1)
            }
        }
    }

    @Test("operands of different shapes, or being differentiated, are refused")
    func misuse() {
        Backends.with(ReferenceBackend()) {
            #expect(throws: ComputeError("fusedElementwise: shapes [2, 3] and [3] are incompatible: the operands of a fused expression must have one shape, or one element")) {
                _ = try Tensor.evaluate(.operand(0) + .operand(1), [.zeros([2, 3]), .zeros([3])])
            }
            #expect(throws: ComputeError.self) {
                _ = try valueAndGradient(of: { p in try Tensor.evaluate(.operand(0) * .operand(0), [p["w"]!]).sum() }, at: ["w": .zeros([2])])
            }
        }
    }

    @Test("an operand of one element stands for every element; the result takes the others' shape, even when it reads none of them")
    func oneElementOperands() throws {
        let x = distinct([3, 4], seed: 15), s = Tensor([0.5], shape: []), t = Tensor([2], shape: [1, 1])
        try Backends.with(ReferenceBackend()) {
            let scaled = try Tensor.evaluate(.operand(1) * .operand(0), [x, s])
            #expect(scaled.shape == [3, 4] && scaled.values == x.values.map { $0 * 0.5 })
            let first = try Tensor.evaluate(.operand(0) * .operand(1), [s, x])
            #expect(first.shape == [3, 4] && first.values == scaled.values)
            let scalarsOnly = try Tensor.evaluate(.operand(1) + .operand(2), [x, s, t])
            #expect(scalarsOnly.shape == [3, 4] && scalarsOnly.values == [Float](repeating: 2.5, count: 12))
            let allSingle = try Tensor.evaluate(.operand(0) + .operand(1), [s, t])
            #expect(allSingle.shape == [] && allSingle.values == [2.5])
        }
    }

    @Test("the result equals the tensor ops it stands for, bit for bit, on both CPU backends", arguments: ["reference", "cpu"])
    func sameAsUnfused(_ backend: String) throws {
        let run: (() throws -> Void) throws -> Void = { body in
            if backend == "cpu" { try Backends.with(try CPUBackend(threads: 2), body) } else { try Backends.with(ReferenceBackend(), body) }
        }
        try run {
            // SGD with Nesterov momentum and weight decay, and Adam's parameter update, over enough elements for several chunks.
            let g = distinct([300, 700], seed: 11), p = distinct([300, 700], seed: 12), b = distinct([300, 700], seed: 13)
            let v = distinct([300, 700], seed: 14, low: 0, high: 2)
            let (lr, mu, wd) = (Tensor.constant(0.05), Tensor.constant(0.9), Tensor.constant(5e-4))
            let d = try g + p * wd
            let sgd = try p - lr * (d + mu * b)
            let fusedSGD = try Tensor.evaluate(.operand(1) - .constant(0.05) * ((E.operand(0) + .operand(1) * .constant(5e-4)) + .constant(0.9) * .operand(2)),
                                               [g, p, b])
            #expect(fusedSGD.values.map(\.bitPattern) == sgd.values.map(\.bitPattern))
            let adam = try p - Tensor.constant(0.001) * b / (v.sqrt() / Tensor.constant(0.3) + Tensor.constant(1e-8))
            let fusedAdam = try Tensor.evaluate(.operand(0) - .constant(0.001) * .operand(1) / (E.operand(2).squareRoot() / .constant(0.3) + .constant(1e-8)),
                                                [p, b, v])
            #expect(fusedAdam.values.map(\.bitPattern) == adam.values.map(\.bitPattern))
            // A clipped gradient: the factor, a scalar computed on the device, broadcast by the tensor op.
            let factor = try (Tensor.constant(1) / (g * g).sum().sqrt())
            let clipped = try p - lr * (g * factor)
            let fusedClipped = try Tensor.evaluate(.operand(1) - .constant(0.05) * (.operand(0) * .operand(2)), [g, p, factor])
            #expect(fusedClipped.values.map(\.bitPattern) == clipped.values.map(\.bitPattern))
            let empty = try Tensor.evaluate(.operand(0) * .constant(2), [Tensor([], shape: [0, 4])])
            #expect(empty.shape == [0, 4] && empty.values.isEmpty)
        }
    }
}
