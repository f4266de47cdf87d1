import CVulkan
import Foundation

/// The Khronos validation layer's messages: on when `LABMAKE_VULKAN_VALIDATION=1` (or when the
/// loader's own variables, such as `VK_INSTANCE_LAYERS`, enable it). Warnings and errors go to the
/// handler (standard error by default); errors are counted, so that a test can fail on any.
public enum VulkanValidation {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var errors: [String] = []
    nonisolated(unsafe) private static var handler: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("vulkan: \(message)\n".utf8))
    }

    /// Whether the environment asks for the validation layer.
    public static var requested: Bool {
        let value = ProcessInfo.processInfo.environment["LABMAKE_VULKAN_VALIDATION"] ?? ""
        return value == "1" || value.lowercased() == "true"
    }

    /// The validation errors reported so far in this process.
    public static var errorMessages: [String] {
        lock.lock()
        defer { lock.unlock() }
        return errors
    }

    /// Sends messages to `body` instead of standard error.
    public static func report(to body: @escaping @Sendable (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        handler = body
    }

    static func receive(_ message: String, isError: Bool) {
        lock.lock()
        if isError { errors.append(message) }
        let handler = self.handler
        lock.unlock()
        handler((isError ? "validation error: " : "validation warning: ") + message)
    }

    /// The callback the debug messenger calls.
    static let callback: PFN_vkDebugUtilsMessengerCallbackEXT = { severity, _, data, _ in
        let message = data?.pointee.pMessage.map { String(cString: $0) } ?? "(no message)"
        let isError = severity.rawValue & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue != 0
        VulkanValidation.receive(message, isError: isError)
        return VkBool32(VK_FALSE)
    }
}
