import Foundation

/// A small, fast, seedable generator (Steele, Lea & Flood's SplitMix64): the same seed gives the same
/// sequence on every machine, and its whole state is one number, so a checkpoint can store it.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    /// The whole state: saving it and restoring it resumes the sequence exactly.
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 24 random bits, identical on every platform.
    public mutating func unitFloat() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float { low + (high - low) * unitFloat() }

    /// Standard normal (Box–Muller), in Double internally.
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * 0x1p-53, u2 = Double(next() >> 11) * 0x1p-53
        return Float((-2 * Foundation.log(Swift.max(u1, 1e-300))).squareRoot() * Foundation.cos(2 * Double.pi * u2))
    }

    /// A generator for a sub-stream, independent of this one's later draws (e.g. one per epoch).
    public func derived(_ salt: UInt64) -> SplitMix64 {
        var g = SplitMix64(seed: state ^ (salt &* 0xD6E8_FEB8_6659_FD93))
        _ = g.next()
        return g
    }
}
