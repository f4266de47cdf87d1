import ComputeDevices
import Pipeline
import Compute

/// Chooses the compute backend for a stage from the pipeline's `settings.device`, and says which.
enum StageDevice {
    static func activate(_ device: String, log: (String) -> Void) throws {
        do {
            log("device \(device) → " + (try ComputeDevices.activate(device)))
        } catch {
            throw StageFailure("settings.device \(device): \(error.message)")
        }
    }
}
