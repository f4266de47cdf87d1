import Compute

/// Registers the CPU backends and selects one.
public enum CPUBackends {
    /// Registers `cpu` (oneDNN, on `threads` threads, default every core) and `reference`, then uses
    /// `device` (`auto`, `cpu`, `reference`, or another registered backend's name). Choosing among CPU
    /// and Vulkan devices (`device: auto | vulkan[:N]`) is ComputeDevices' job.
    public static func activate(_ device: String, threads: Int? = nil) throws(ComputeError) {
        Backends.register(ReferenceBackend())
        Backends.register(try CPUBackend(threads: threads))
        try Backends.use(device)
    }
}
