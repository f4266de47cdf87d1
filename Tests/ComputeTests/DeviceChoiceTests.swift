import Compute
import ComputeDevices
import ComputeVulkan
import Testing

@Suite("Choosing a device", .serialized)
struct DeviceChoiceTests {
    static func device(_ index: Int, _ kind: VulkanDeviceInfo.Kind, _ name: String) -> VulkanDeviceInfo {
        VulkanDeviceInfo(index: index, name: name, kind: kind, driver: "test", apiVersion: "1.3.0", memory: 1 << 30, subgroupSize: 32,
                         maxWorkgroupInvocations: 1024, maxSharedMemory: 49152, maxPushConstants: 256, maxStorageBufferRange: 1 << 31)
    }

    @Test("auto prefers a discrete GPU, then integrated, then virtual, and never a CPU device")
    func ranking() {
        let lavapipe = Self.device(0, .cpu, "llvmpipe (LLVM 15.0.6, 256 bits)")
        let integrated = Self.device(1, .integrated, "Intel Iris Xe")
        let discrete = Self.device(2, .discrete, "NVIDIA H100")
        #expect(VulkanDevices.best(among: [lavapipe, integrated, discrete], gpuOnly: true) == discrete)
        #expect(VulkanDevices.best(among: [lavapipe, integrated], gpuOnly: true) == integrated)
        #expect(VulkanDevices.best(among: [lavapipe], gpuOnly: true) == nil)
        #expect(VulkanDevices.best(among: [lavapipe], gpuOnly: false) == lavapipe)
    }

    @Test("vulkan:N and vulkan:NAME name one device; a wrong or ambiguous name says what exists")
    func naming() throws {
        let devices = [Self.device(0, .cpu, "llvmpipe"), Self.device(1, .discrete, "NVIDIA H100"), Self.device(2, .discrete, "NVIDIA A100")]
        #expect(try VulkanDevices.named("1", among: devices) == devices[1])
        #expect(try VulkanDevices.named("h100", among: devices) == devices[1])
        #expect(throws: VulkanError.self) { try VulkanDevices.named("7", among: devices) }
        do {
            _ = try VulkanDevices.named("nvidia", among: devices)
            Issue.record("an ambiguous name was accepted")
        } catch {
            #expect(error.message.contains("several") && error.message.contains("1: NVIDIA H100"))
        }
        do {
            _ = try VulkanDevices.named("radeon", among: devices)
            Issue.record("an unknown name was accepted")
        } catch {
            #expect(error.message.contains("0: llvmpipe"))
        }
    }

    @Test("auto chooses the CPU when the only Vulkan device is a CPU device, or none, and says so")
    func automatic() throws {
        _ = VulkanTestDevice.available  // the first use of Vulkan in this process turns validation on
        let list = DeviceList.current()
        let said = try ComputeDevices.activate("auto", threads: 1)
        if list.vulkan.contains(where: \.isGPU) {
            #expect(said.hasPrefix("vulkan"))
        } else {
            #expect(said.hasPrefix("cpu: no Vulkan GPU"))
            #expect(list.automatic == "cpu")
            #expect(Backends.current.name == "cpu")
        }
    }

    @Test("an unknown device is an error that lists the choices")
    func unknown() {
        #expect(throws: ComputeError.self) { try ComputeDevices.activate("tpu") }
        #expect(throws: ComputeError.self) { try ComputeDevices.activate("vulkan:no-such-device") }
    }

    @Test("vulkan uses lavapipe when it is the only device", .enabled(if: VulkanTestDevice.available))
    func explicitVulkan() throws {
        _ = VulkanTestDevice.available
        let said = try ComputeDevices.activate("vulkan", threads: 1)
        #expect(said.hasPrefix("vulkan: "))
        #expect(Backends.current.name == "vulkan")
        try ComputeDevices.activate("cpu", threads: 1)
    }
}
