import Foundation

/// The GPUs a scheduler granted this process, as `CUDA_VISIBLE_DEVICES` (or, without it, Slurm's
/// `SLURM_JOB_GPUS`) names them, matched to Vulkan devices — Vulkan itself ignores those variables.
///
/// An entry is a GPU's UUID (`GPU-8a3f…`, a prefix is enough, as CUDA accepts) or an index. Indices
/// count the machine's GPUs in the order the Vulkan loader lists them (CPU devices such as lavapipe
/// left out), which is the PCI order NVIDIA's driver and `nvidia-smi` use; when the machine shows only
/// as many GPUs as were granted (a cluster that hides the others), they are the granted ones.
public struct GrantedGPUs: Sendable, Equatable {
    /// The variable's entries, in order: `0`, `GPU-8a3f…`.
    public var entries: [String]
    /// The variable they came from, for messages.
    public var variable: String

    /// The grant in `environment`; nil when no variable names one (every GPU may be used).
    public init?(environment: [String: String]) {
        for variable in ["CUDA_VISIBLE_DEVICES", "SLURM_JOB_GPUS"] {
            guard let value = environment[variable] else { continue }
            self.variable = variable
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            // CUDA's own ways of saying "no GPU": empty, -1, NoDevFiles.
            if trimmed.isEmpty || trimmed == "NoDevFiles" || trimmed.hasPrefix("-") {
                entries = []
            } else {
                entries = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            return
        }
        return nil
    }

    /// The granted devices among `devices`, in the grant's order; an error naming the entry that
    /// matches none.
    public func devices(among devices: [VulkanDeviceInfo]) throws(VulkanError) -> [VulkanDeviceInfo] {
        let gpus = devices.filter(\.isGPU)
        if entries.allSatisfy({ Int($0) != nil }), gpus.count == entries.count, entries.count > 0 {
            return gpus  // the others are hidden from this process: what it sees is what it was granted
        }
        var granted: [VulkanDeviceInfo] = []
        for entry in entries {
            if let index = Int(entry) {
                guard index >= 0 && index < gpus.count else {
                    throw VulkanError("\(variable)=\(entries.joined(separator: ",")) grants GPU \(index), but Vulkan lists \(gpus.count) GPU(s)"
                                      + (gpus.isEmpty ? "" : ": " + gpus.map { "\($0.index): \($0.name)" }.joined(separator: "; ")))
                }
                granted.append(gpus[index])
            } else {
                let wanted = entry.lowercased()
                guard let match = gpus.first(where: { ($0.uuid?.lowercased()).map { $0.hasPrefix(wanted) || $0.dropFirst(4).hasPrefix(wanted) } ?? false }) else {
                    throw VulkanError("\(variable) grants GPU \(entry), which matches no Vulkan device's UUID"
                                      + (gpus.isEmpty ? "" : " (" + gpus.map { "\($0.index): \($0.uuid ?? "no UUID")" }.joined(separator: "; ") + ")"))
                }
                granted.append(match)
            }
        }
        return granted
    }
}
