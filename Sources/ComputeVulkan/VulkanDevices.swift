import Foundation

/// The Vulkan devices this machine has, and the backends opened on them (one per device, kept for
/// the process).
public enum VulkanDevices {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var opened: [Int: VulkanBackend] = [:]

    /// Every device the Vulkan loader sees, CPU devices such as lavapipe included; an error when no
    /// driver is installed.
    public static func list() throws(VulkanError) -> [VulkanDeviceInfo] {
        try VulkanInstance.shared.get().devices
    }

    /// A device UUID's 16 bytes as NVIDIA writes them: `GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`; nil when all zero.
    public static func uuidText(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16, bytes.contains(where: { $0 != 0 }) else { return nil }
        let hex = bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }
        return "GPU-" + groups.joined(separator: "-")
    }

    /// Whether the Khronos validation layer is on for this process (decided when Vulkan is first used).
    public static var validationEnabled: Bool { (try? VulkanInstance.shared.get().validation) ?? false }

    /// The preferred device: a discrete GPU, then integrated, then virtual, then (unless `gpuOnly`) a
    /// CPU device; the loader's order breaks ties.
    public static func best(among devices: [VulkanDeviceInfo], gpuOnly: Bool) -> VulkanDeviceInfo? {
        devices.filter { !gpuOnly || $0.isGPU }.min { ($0.kind.rank, $0.index) < ($1.kind.rank, $1.index) }
    }

    /// The device `selector` names: its index (`0`) or part of its name (`lavapipe`, `H100`), ignoring case.
    public static func named(_ selector: String, among devices: [VulkanDeviceInfo]) throws(VulkanError) -> VulkanDeviceInfo {
        let known = devices.map { "\($0.index): \($0.name)" }.joined(separator: "; ")
        if let index = Int(selector) {
            guard let device = devices.first(where: { $0.index == index }) else {
                throw VulkanError("there is no Vulkan device \(index); the devices are: \(known.isEmpty ? "none" : known)")
            }
            return device
        }
        let matches = devices.filter { $0.name.lowercased().contains(selector.lowercased()) || $0.driver.lowercased().contains(selector.lowercased()) }
        guard let device = matches.first else {
            throw VulkanError("no Vulkan device matches '\(selector)'; the devices are: \(known.isEmpty ? "none" : known)")
        }
        guard matches.count == 1 else {
            throw VulkanError("'\(selector)' matches several Vulkan devices (\(matches.map { "\($0.index): \($0.name)" }.joined(separator: "; "))); name one by its index")
        }
        return device
    }

    /// The backend on device `index`, opened on first use.
    public static func backend(_ index: Int) throws(VulkanError) -> VulkanBackend {
        lock.lock()
        defer { lock.unlock() }
        if let backend = opened[index] { return backend }
        let backend = try VulkanBackend(device: index)
        opened[index] = backend
        return backend
    }
}
