import Foundation

/// A compute shader's SPIR-V, embedded at build time by the CompileShaders plugin (one per
/// `Shaders/*.comp`).
struct Shader: Sendable {
    let name: String
    let base64: String

    /// The SPIR-V words.
    var code: [UInt32] {
        guard let data = Data(base64Encoded: base64) else { preconditionFailure("shader \(name): the embedded SPIR-V is not base64") }
        return data.withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }
    }

    /// Every shader, in the order the pipelines are created.
    static let all: [Shader] = [.elementwise, .reduce, .gemm, .implicitGemm, .implicitGemm32, .implicitGemm16, .pooling, .batchNorm, .crossEntropy, .fusedElementwise]

    /// Variants that reduce with subgroup operations, run under the name of the shader they replace on
    /// devices that offer subgroup arithmetic to compute shaders.
    static let subgroupVariants: [String: Shader] = [Shader.reduce.name: .reduceSubgroups, Shader.batchNorm.name: .batchNormSubgroups]
}
