import ArgumentParser
import ComputeDevices
import ComputeVulkan
import Foundation

/// `labmake devices`: the CPU and every Vulkan device, with the one `device: auto` uses marked.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the devices labmake can train on: the CPU and every Vulkan device.",
        discussion: """
            The device marked * is the one 'device: auto' uses: the best Vulkan GPU (discrete, then integrated, then \
            virtual), else the CPU. A CPU-type Vulkan device such as lavapipe is used only when asked for by name \
            ('vulkan' when it is the only one, or 'vulkan:N').
            """)

    @Flag(help: "Print the list as JSON.")
    var json = false

    func run() throws {
        let list = DeviceList.current()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(list), as: UTF8.self))
            return
        }
        print(Self.describe(list))
    }

    static func describe(_ list: DeviceList) -> String {
        let mark = { (name: String) in list.automatic == name ? "*" : " " }
        var lines = ["\(mark("cpu")) cpu         \(list.cpu.name) · \(list.cpu.cores) cores · \(formatBytes(Int64(list.cpu.memory))) memory"]
        for d in list.vulkan {
            let name = "vulkan:\(d.index)"
            lines.append("\(mark(name)) \(name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(d.name) (\(d.kind.rawValue))")
            lines.append("              driver \(d.driver) · Vulkan \(d.apiVersion) · \(formatBytes(Int64(d.memory))) memory"
                         + (d.computeUnits.map { " · \($0) compute units" } ?? ""))
            lines.append("              subgroup \(d.subgroupSize)\(d.subgroupArithmetic ? " (arithmetic)" : "") · workgroup ≤ \(d.maxWorkgroupInvocations) invocations · "
                         + "shared memory \(formatBytes(Int64(d.maxSharedMemory))) · push constants \(d.maxPushConstants) B · "
                         + "storage buffer ≤ \(formatBytes(Int64(d.maxStorageBufferRange)))")
        }
        if let problem = list.vulkanProblem { lines.append("  (no Vulkan device: \(problem))") }
        lines.append("* device: auto uses \(list.automatic)")
        return lines.joined(separator: "\n")
    }
}
