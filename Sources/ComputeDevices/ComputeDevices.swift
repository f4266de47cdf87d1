import Compute
import ComputeCPU
import ComputeVulkan
import Foundation

/// Chooses the backend that `device:` (a pipeline's settings, a command's `--device`) names:
/// - `auto`: a Vulkan GPU when there is one, else the CPU (never a CPU-type Vulkan device such as
///   lavapipe, which is slower than the CPU backend);
/// - `cpu` or `reference`: the CPU backends;
/// - `vulkan`: the best Vulkan device, lavapipe included when it is the only one;
/// - `vulkan:N` or `vulkan:NAME`: the device with that index (as `labmake devices` lists them) or
///   whose name contains NAME.
public enum ComputeDevices {
    /// Activates the backend `device` names and says which it chose, e.g.
    /// `vulkan: NVIDIA H100 (discrete GPU)` or `cpu: no Vulkan GPU (llvmpipe is a CPU device)`. With `auto`, a
    /// GPU that cannot be opened leaves the CPU in use and the reason in the answer.
    ///
    /// Under a scheduler's grant (`CUDA_VISIBLE_DEVICES`, `SLURM_JOB_GPUS`: ``GrantedGPUs``), `auto` and
    /// `vulkan` choose among the granted GPUs only, the first of them; `vulkan:N` still means device N.
    @discardableResult
    public static func activate(_ device: String, threads: Int? = nil,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws(ComputeError) -> String {
        let spec = device.lowercased()
        switch spec {
        case "cpu", "reference":
            try CPUBackends.activate(spec, threads: threads)
            return spec
        case "auto":
            try CPUBackends.activate("cpu", threads: threads)
            var devices = (try? VulkanDevices.list()) ?? []
            if let grant = GrantedGPUs(environment: environment) {
                do {
                    devices = try grant.devices(among: devices)
                } catch {
                    return "cpu: \(error.message)"
                }
                guard !devices.isEmpty else { return "cpu: \(grant.variable) grants no GPU" }
            }
            guard let gpu = VulkanDevices.best(among: devices, gpuOnly: true) else {
                let others = devices.map(\.name).joined(separator: ", ")
                return "cpu: no Vulkan GPU" + (others.isEmpty ? "" : " (\(others): CPU devices, slower than the CPU backend)")
            }
            do {
                return try useVulkan(gpu)
            } catch {
                // A GPU that cannot be opened (its driver fails, it is below the shaders' limits): the CPU, saying why.
                return "cpu: \(error.message)"
            }
        case "vulkan":
            try CPUBackends.activate("cpu", threads: threads)
            var devices = try vulkanDevices()
            if let grant = GrantedGPUs(environment: environment), devices.contains(where: \.isGPU) {
                devices = try granted(grant, among: devices)
                guard let first = devices.first else {
                    throw ComputeError("\(grant.variable) grants no GPU to this process; use device cpu, or vulkan:N to choose one anyway")
                }
                return try useVulkan(first)
            }
            guard let best = VulkanDevices.best(among: devices, gpuOnly: false) else {
                throw ComputeError("no Vulkan device is available (the driver lists none); use device cpu or auto")
            }
            return try useVulkan(best)
        case _ where spec.hasPrefix("vulkan:"):
            try CPUBackends.activate("cpu", threads: threads)
            let devices = try vulkanDevices()
            do {
                return try useVulkan(try VulkanDevices.named(String(device.dropFirst("vulkan:".count)), among: devices))
            } catch let error as VulkanError {
                throw ComputeError(error.message)
            } catch {
                throw ComputeError("\(error)")
            }
        default:
            throw ComputeError("unknown device '\(device)'; use auto, cpu, reference, vulkan, vulkan:N or vulkan:NAME")
        }
    }

    /// The GPU the current backend runs on, as a report shows it (`NVIDIA H100 (discrete GPU, Vulkan 1.3.277)`);
    /// nil on the CPU.
    public static var currentGPU: String? {
        guard let vulkan = Backends.current as? VulkanBackend else { return nil }
        return "\(vulkan.info.name) (\(vulkan.info.kind.rawValue), Vulkan \(vulkan.info.apiVersion), \(vulkan.info.driver))"
    }

    private static func granted(_ grant: GrantedGPUs, among devices: [VulkanDeviceInfo]) throws(ComputeError) -> [VulkanDeviceInfo] {
        do {
            return try grant.devices(among: devices)
        } catch {
            throw ComputeError(error.message)
        }
    }

    private static func vulkanDevices() throws(ComputeError) -> [VulkanDeviceInfo] {
        do {
            return try VulkanDevices.list()
        } catch {
            throw ComputeError("no Vulkan device is available: \(error.message); use device cpu or auto")
        }
    }

    private static func useVulkan(_ device: VulkanDeviceInfo) throws(ComputeError) -> String {
        do {
            Backends.register(try VulkanDevices.backend(device.index))
        } catch {
            throw ComputeError("could not open Vulkan device \(device.index) (\(device.name)): \(error.message)")
        }
        try Backends.use("vulkan")
        return "vulkan: \(device.name) (\(device.kind.rawValue), device \(device.index))"
    }
}
