import CVulkan

/// A Vulkan call that failed, or no device to run on.
public struct VulkanError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Throws unless `result` is VK_SUCCESS (or VK_INCOMPLETE, which enumerations may return).
func check(_ result: VkResult, _ what: @autoclosure () -> String) throws(VulkanError) {
    guard result != VK_SUCCESS && result != VK_INCOMPLETE else { return }
    throw VulkanError("Vulkan: \(what()) failed: \(name(of: result))")
}

func name(of result: VkResult) -> String {
    switch result {
    case VK_ERROR_OUT_OF_HOST_MEMORY: return "out of host memory (VK_ERROR_OUT_OF_HOST_MEMORY)"
    case VK_ERROR_OUT_OF_DEVICE_MEMORY: return "out of device memory (VK_ERROR_OUT_OF_DEVICE_MEMORY)"
    case VK_ERROR_INITIALIZATION_FAILED: return "VK_ERROR_INITIALIZATION_FAILED"
    case VK_ERROR_DEVICE_LOST: return "the device was lost (VK_ERROR_DEVICE_LOST)"
    case VK_ERROR_LAYER_NOT_PRESENT: return "VK_ERROR_LAYER_NOT_PRESENT"
    case VK_ERROR_EXTENSION_NOT_PRESENT: return "VK_ERROR_EXTENSION_NOT_PRESENT"
    case VK_ERROR_INCOMPATIBLE_DRIVER: return "no compatible Vulkan driver (VK_ERROR_INCOMPATIBLE_DRIVER)"
    case VK_ERROR_TOO_MANY_OBJECTS: return "VK_ERROR_TOO_MANY_OBJECTS"
    case VK_ERROR_OUT_OF_POOL_MEMORY: return "VK_ERROR_OUT_OF_POOL_MEMORY"
    default: return "VkResult \(result.rawValue)"
    }
}

/// A C string from a fixed-size C character array (as Vulkan's property structs hold them).
func string<T>(fromTuple tuple: T) -> String {
    withUnsafeBytes(of: tuple) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}
