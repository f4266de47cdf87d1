import Foundation

/// An elementwise function of one operand, as a type so that loops specialise on it (a closure
/// would be called per element).
protocol UnaryKernel { static func apply(_ x: Float) -> Float }
/// An elementwise function of two operands.
protocol BinaryKernel { static func apply(_ a: Float, _ b: Float) -> Float }

/// The elementwise functions of the CPU backend.
enum Kernels {
    enum Negate: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { -x } }
    enum Exp: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.exp(x) } }
    enum Log: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { Foundation.log(x) } }
    enum SquareRoot: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() } }
    enum ReLU: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? x : 0 } }
    enum ReLU6: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? (x < 6 ? x : 6) : 0 } }
    enum Positive: UnaryKernel { @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? 1 : 0 } }

    enum Add: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
    enum Subtract: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
    enum Multiply: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
    enum Divide: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
    enum Equal: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a == b ? 1 : 0 } }
    /// The gradient `b` where the input `a` is positive.
    enum ReLUGradient: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > 0 ? b : 0 } }
    enum ReLU6Gradient: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a > 0 && a < 6 ? b : 0 } }
    /// The first operand (broadcasting copies).
    enum First: BinaryKernel { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a } }
}
