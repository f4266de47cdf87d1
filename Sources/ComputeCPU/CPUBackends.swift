import Compute

/// Registers the CPU backends and selects one.
public enum CPUBackends {
    /// Registers `cpu` (oneDNN, on `threads` threads, default every core) and `reference`, then uses
    /// `device` (`auto`, `cpu`, `reference`, or another registered backend's name).
    public static func activate(_ device: String, threads: Int? = nil) throws(ComputeError) {
        Backends.register(ReferenceBackend())
        Backends.register(try CPUBackend(threads: threads))
        if device == "vulkan" && !Backends.names.contains("vulkan") {
            throw ComputeError("the Vulkan backend is not available in this build; use --device cpu (or auto)")
        }
        try Backends.use(device)
    }
}
