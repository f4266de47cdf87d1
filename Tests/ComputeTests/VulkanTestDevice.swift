import ComputeVulkan
import Foundation

/// The Vulkan backend the tests run on: the best device the loader sees (lavapipe in CI), with the
/// Khronos validation layer on. Nil, with the reason, when this machine has no Vulkan driver.
enum VulkanTestDevice {
    static let backend: Result<VulkanBackend, VulkanError> = {
        setenv("LABMAKE_VULKAN_VALIDATION", "1", 1)
        return Result { () throws(VulkanError) -> VulkanBackend in
            let devices = try VulkanDevices.list()
            guard let device = VulkanDevices.best(among: devices, gpuOnly: false) else {
                throw VulkanError("the Vulkan loader lists no device")
            }
            return try VulkanDevices.backend(device.index)
        }
    }()

    static var available: Bool { (try? backend.get()) != nil }

    /// Why the Vulkan tests are skipped.
    static var skipReason: String {
        switch backend {
        case .success: "a Vulkan device is available"
        case .failure(let error): "no Vulkan device (\(error.message)); scripts/setup installs lavapipe (mesa-vulkan-drivers)"
        }
    }
}
