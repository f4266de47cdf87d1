import Compute
import ComputeDevices
import Foundation

/// Chooses the compute backend for a command's `--device`.
enum ComputeDevice {
    /// Activates `device`; with `announce`, says on standard error which backend it chose.
    static func activate(_ device: String, threads: Int?, announce: Bool = false) throws {
        do {
            let chosen = try ComputeDevices.activate(device, threads: threads)
            if announce { FileHandle.standardError.write(Data("device \(device) → \(chosen)\n".utf8)) }
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: --device \(device): \(error.message)")
        }
    }
}
