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

    @Test("every shader runs within 256 invocations and 16 KiB of shared memory a workgroup")
    func withinCommonLimits() {
        let common = Self.device(invocations: 256, shared: 16384)
        for shader in Shader.all + Shader.subgroupVariants.values {
            let requirements = ShaderRequirements(spirv: shader.code)
            #expect(requirements.problem(on: common) == nil, "\(shader.name): \(requirements)")
            #expect(requirements.sharedBytes > 0 || ["elementwise", "pooling", "cross_entropy", "fused_elementwise"].contains(shader.name),
                    "\(shader.name): no shared memory read")
        }
    }

    @Test("a device below a shader's needs is named with both figures")
    func tooSmall() {
        let problem = ShaderRequirements(spirv: Shader.batchNorm.code).problem(on: Self.device(invocations: 128, shared: 1024))
        #expect(problem == "256 invocations per workgroup (the device allows 128) and 2048 bytes of shared memory per workgroup (the device allows 1024)")
    }
}
