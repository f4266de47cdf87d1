import ArgumentParser
import Compute
import ComputeDevices
import ComputeVulkan
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

    /// Sets the active Vulkan backend's ``LargeTiles`` to `largeTiles`, when given; refused on another backend.
    static func use(largeTiles: LargeTiles?) throws {
        guard let largeTiles else { return }
        guard let vulkan = Backends.current as? VulkanBackend else {
            throw LabmakeExit(ExitStatus.invalid, "error: --large-tiles applies to a Vulkan device, and the device is \(Backends.current.name)")
        }
        vulkan.largeTiles = largeTiles
    }
}

extension LargeTiles: ExpressibleByArgument {}
