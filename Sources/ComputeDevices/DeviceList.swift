import ComputeVulkan
import Foundation

/// What labmake can train on here: the CPU and every Vulkan device, with the one `device: auto`
/// would choose.
public struct DeviceList: Sendable, Codable {
    public struct CPU: Sendable, Codable {
        public var name: String
        public var cores: Int
        /// Bytes of main memory.
        public var memory: UInt64

        /// This machine's processor (Linux's /proc/cpuinfo) and memory (/proc/meminfo).
        public static func current() -> CPU {
            func field(_ path: String, _ key: String) -> String? {
                let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
                return text.split(separator: "\n").first { $0.hasPrefix(key) }
                    .flatMap { $0.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces) }
            }
            let kilobytes = field("/proc/meminfo", "MemTotal")?.split(separator: " ").first.flatMap { UInt64($0) } ?? 0
            return CPU(name: field("/proc/cpuinfo", "model name") ?? "unknown CPU", cores: ProcessInfo.processInfo.activeProcessorCount,
                       memory: kilobytes * 1024)
        }
    }

    public var cpu: CPU
    public var vulkan: [VulkanDeviceInfo]
    /// Why no Vulkan device is listed, when none is.
    public var vulkanProblem: String?
    /// `cpu` or `vulkan:N`.
    public var automatic: String

    /// Reads the devices of this machine.
    public static func current() -> DeviceList {
        let cpu = CPU.current()
        let devices: [VulkanDeviceInfo]
        var problem: String?
        do {
            devices = try VulkanDevices.list()
            if devices.isEmpty { problem = "the Vulkan loader found no device" }
        } catch {
            devices = []
            problem = error.message
        }
        let automatic = VulkanDevices.best(among: devices, gpuOnly: true).map { "vulkan:\($0.index)" } ?? "cpu"
        return DeviceList(cpu: cpu, vulkan: devices, vulkanProblem: problem, automatic: automatic)
    }
}
