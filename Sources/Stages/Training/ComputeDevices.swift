import ComputeCPU
import Pipeline

/// Chooses the compute backend for a stage from the pipeline's `settings.device`.
enum ComputeDevices {
    static func activate(_ device: String) throws {
        do {
            try CPUBackends.activate(device)
        } catch {
            throw StageFailure("settings.device \(device): \(error.message)")
        }
    }
}
