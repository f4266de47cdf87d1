@testable import ComputeVulkan
import Testing

@Suite("What the shaders ask of a device")
struct ShaderRequirementsTests {
    static func device(invocations: Int, shared: Int) -> VulkanDeviceInfo {
        VulkanDeviceInfo(index: 3, name: "Small GPU", kind: .integrated, driver: "test", apiVersion: "1.1.0", memory: 1 << 30, subgroupSize: 16,
                         maxWorkgroupInvocations: invocations, maxSharedMemory: shared, maxPushConstants: 128, maxStorageBufferRange: 1 << 27)
    }

    @Test("the local size and the shared memory are read from the SPIR-V")
    func readFromSPIRV() {
        // reduce: 64 invocations, a vec2 per invocation in the tree; the subgroup variant adds the one result.
        #expect(ShaderRequirements(spirv: Shader.reduce.code) == ShaderRequirements(invocations: 64, sharedBytes: 64 * 8))
        #expect(ShaderRequirements(spirv: Shader.reduceSubgroups.code) == ShaderRequirements(invocations: 64, sharedBytes: 64 * 8 + 8))
        #expect(ShaderRequirements(spirv: Shader.batchNorm.code) == ShaderRequirements(invocations: 256, sharedBytes: 256 * 8))
        #expect(ShaderRequirements(spirv: Shader.implicitGemm.code).invocations == 256)
    }

    @Test("every shader but the optional ones runs within 256 invocations and 16 KiB of shared memory a workgroup")
    func withinCommonLimits() {
        let common = Self.device(invocations: 256, shared: 16384)
        for shader in Shader.all + Shader.subgroupVariants.values {
            let requirements = ShaderRequirements(spirv: shader.code)
            #expect((requirements.problem(on: common) == nil) == !Shader.optional.contains(shader), "\(shader.name): \(requirements)")
            #expect(requirements.sharedBytes > 0 || ["elementwise", "pooling", "cross_entropy", "fused_elementwise"].contains(shader.name),
                    "\(shader.name): no shared memory read")
        }
    }

    @Test("the 128 × 128 tiles: the matrix products' fit 16 KiB, the convolutions' need the row offsets' 192 bytes more")
    func largeTiles() {
        #expect(ShaderRequirements(spirv: Shader.gemm128.code) == ShaderRequirements(invocations: 256, sharedBytes: 2 * 16 * 128 * 4))
        #expect(ShaderRequirements(spirv: Shader.implicitGemm128.code) == ShaderRequirements(invocations: 256, sharedBytes: 2 * 16 * 128 * 4 + 3 * 16 * 4))
    }

    @Test("a device without the limits of an optional shader runs without it; one without a required shader's is refused")
    func optionalShaders() throws {
        let names = { (info: VulkanDeviceInfo) in try PipelineLibrary.shaders(for: info, subgroups: false).map(\.name) }
        #expect(try names(Self.device(invocations: 1024, shared: 32768)) == Shader.all.map(\.name))
        #expect(try names(Self.device(invocations: 256, shared: 16384)) == Shader.all.map(\.name).filter { $0 != Shader.implicitGemm128.name })
        #expect(throws: VulkanError.self) { try names(Self.device(invocations: 128, shared: 32768)) }
        // Subgroup variants take the names of the shaders they replace.
        let withSubgroups = try PipelineLibrary.shaders(for: Self.device(invocations: 1024, shared: 32768), subgroups: true)
        #expect(withSubgroups.first { $0.name == Shader.reduce.name }?.source == Shader.reduceSubgroups)
    }

    @Test("a device below a shader's needs is named with both figures")
    func tooSmall() {
        let problem = ShaderRequirements(spirv: Shader.batchNorm.code).problem(on: Self.device(invocations: 128, shared: 1024))
        #expect(problem == "256 invocations per workgroup (the device allows 128) and 2048 bytes of shared memory per workgroup (the device allows 1024)")
    }
}
