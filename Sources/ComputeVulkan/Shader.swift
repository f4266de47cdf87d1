import Foundation

/// A compute shader's SPIR-V, embedded at build time by the CompileShaders plugin (one per
/// `Shaders/*.comp`).
struct Shader: Sendable, Equatable, CustomStringConvertible {
    let name: String
    let base64: String

    var description: String { name }

    /// The SPIR-V words.
    var code: [UInt32] {
        guard let data = Data(base64Encoded: base64) else { preconditionFailure("shader \(name): the embedded SPIR-V is not base64") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
    }

    /// Every shader, in the order the pipelines are created.
    static let all: [Shader] = [.elementwise, .reduce, .gemm, .gemm128, .implicitGemm, .implicitGemm32, .implicitGemm16, .implicitGemm128, .pooling,
                                .batchNorm, .crossEntropy, .fusedElementwise]

    /// Shaders a device may lack the limits for: it then runs without them (each has an alternative every
    /// device runs), where a device that cannot run another shader is refused.
    static let optional: [Shader] = [.implicitGemm128]

    /// Variants that reduce with subgroup operations, run under the name of the shader they replace on
    /// devices that offer subgroup arithmetic to compute shaders.
    static let subgroupVariants: [String: Shader] = [Shader.reduce.name: .reduceSubgroups, Shader.batchNorm.name: .batchNormSubgroups]
}
