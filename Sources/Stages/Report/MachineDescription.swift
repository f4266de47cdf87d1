import Compute
import ComputeDevices
import Foundation
import Report

/// What the lab ran on, read from the system (Linux's /proc and /etc/os-release).
enum MachineDescription {
    static func environment(device: String, labmakeVersion: String) -> ReportModel.Environment {
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        func field(_ text: String, _ key: String, separator: Character) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(key) }.flatMap { line in
                line.split(separator: separator, maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
            }
        }
        let cpu = DeviceList.CPU.current()
        let os = field(read("/etc/os-release"), "PRETTY_NAME", separator: "=")?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) ?? "Linux"
        let backend = Backends.current.name
        let gpu = ComputeDevices.currentGPU ?? "none used (training ran on the CPU)"
        return ReportModel.Environment(cpu: cpu.name, cores: cpu.cores, memoryBytes: Int64(cpu.memory), gpu: gpu,
                                       os: os, swift: swiftVersion, labmake: labmakeVersion, backend: "\(backend) (device: \(device))")
    }

    /// The compiler version labmake was built with.
    static var swiftVersion: String {
        #if compiler(>=6.3)
        "6.3 or later"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }
}
