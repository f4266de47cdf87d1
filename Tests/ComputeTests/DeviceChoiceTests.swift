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

    @Test("a scheduler's grant picks the Vulkan GPU: by index among the GPUs, by UUID or its prefix, or all that a constrained job sees")
    func grantedGPUs() throws {
        var gpus = [Self.device(0, .cpu, "llvmpipe"), Self.device(1, .discrete, "GPU A"), Self.device(2, .discrete, "GPU B"),
                    Self.device(3, .discrete, "GPU C")]
        gpus[1].uuid = "GPU-11111111-2222-3333-4444-555555555555"
        gpus[2].uuid = "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        gpus[3].uuid = "GPU-aaaabbbb-0000-0000-0000-000000000000"
        func grant(_ value: String, _ variable: String = "CUDA_VISIBLE_DEVICES") throws -> [String] {
            try #require(GrantedGPUs(environment: [variable: value])).devices(among: gpus).map(\.name)
        }
        #expect(GrantedGPUs(environment: [:]) == nil)
        #expect(try grant("1") == ["GPU B"])            // the second GPU; lavapipe is no GPU
        #expect(try grant("2,0") == ["GPU C", "GPU A"])
        #expect(try grant("GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee") == ["GPU B"])
        #expect(try grant("GPU-1111") == ["GPU A"])      // a unique prefix, as CUDA takes it
        #expect(try grant("aaaabbbb") == ["GPU C"])
        #expect(try grant("2", "SLURM_JOB_GPUS") == ["GPU C"])
        #expect(try grant("") == [])
        #expect(try grant("-1") == [])
        #expect(throws: VulkanError.self) { try grant("3") }
        #expect(throws: VulkanError.self) { try grant("GPU-ffff") }
        // CUDA_VISIBLE_DEVICES wins over SLURM_JOB_GPUS, as CUDA itself reads only it.
        #expect(try #require(GrantedGPUs(environment: ["CUDA_VISIBLE_DEVICES": "0", "SLURM_JOB_GPUS": "2"])).devices(among: gpus).map(\.name) == ["GPU A"])
        // A job whose other GPUs are hidden sees only what it was granted, whatever the indices say.
        let hidden = [Self.device(0, .discrete, "GPU Z")]
        #expect(try #require(GrantedGPUs(environment: ["CUDA_VISIBLE_DEVICES": "3"])).devices(among: hidden).map(\.name) == ["GPU Z"])
    }

    @Test("auto under a grant that matches no Vulkan GPU trains on the CPU and says why")
    func grantWithoutGPU() throws {
        let said = try ComputeDevices.activate("auto", threads: 1, environment: ["CUDA_VISIBLE_DEVICES": "5"])
        #expect(said.hasPrefix("cpu: "))
        #expect(said.contains("CUDA_VISIBLE_DEVICES"), "\(said)")
        #expect(Backends.current.name == "cpu")
    }

    @Test("Vulkan devices report their UUID as NVIDIA writes it")
    func uuidText() {
        #expect(VulkanDevices.uuidText(Array(0..<16)) == "GPU-00010203-0405-0607-0809-0a0b0c0d0e0f")
        #expect(VulkanDevices.uuidText(Array(repeating: 0, count: 16)) == nil)
    }
}
