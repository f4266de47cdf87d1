import Compute
import ComputeCPU

/// Chooses the compute backend for a command's `--device`.
enum ComputeDevice {
    static func activate(_ device: String, threads: Int?) throws {
        do {
            try CPUBackends.activate(device, threads: threads)
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: --device \(device): \(error.message)")
        }
    }
}
