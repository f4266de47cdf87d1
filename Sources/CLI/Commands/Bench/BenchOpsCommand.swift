import ArgumentParser
import Compute
import ComputeVulkan
import ComputeCPU
import Foundation
import Pipeline

/// `labmake bench ops`: forward and backward milliseconds of the main ops at ResNet shapes.
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time the main ops forward and backward at ResNet-20 and ResNet-18 shapes.",
        discussion: "Each figure is the median of --reps timed runs after two warm-up runs, in milliseconds.")

    @Option(help: "Batch size.")
    var batch = 128

    @Option(help: "Timed repetitions per op and direction.")
    var reps = 10

    @Option(help: "Threads (default: every core).")
    var threads: Int?

    @Option(help: "Compute backend: cpu, reference, vulkan, vulkan:N or vulkan:NAME (see labmake devices).")
    var device = "cpu"

    @Option(help: "Only ops whose name contains this.")
    var filter: String?

    @Option(help: "On a Vulkan device, when matrix products and convolutions use 128 × 128 tiles: never, where-busy (the default: results that make 256 such tiles) or always.")
    var largeTiles: LargeTiles?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        try ComputeDevice.activate(device, threads: threads, announce: true)
        try ComputeDevice.use(largeTiles: largeTiles)
        var rows: [ConfigValue] = []
        if !json { print("op".padding(toLength: 30, withPad: " ", startingAt: 0) + "   forward ms   backward ms") }
        for bench in try OpBenchmark.all(batch: batch) where filter.map({ bench.name.contains($0) }) ?? true {
            let forward = try median(bench.forward)
            var backward = try median(bench.backward)
            // Gradients taken through valueAndGradient rerun the forward pass; count the backward alone.
            if bench.backwardRerunsForward { backward = Swift.max(0, ((backward - forward) * 1000).rounded() / 1000) }
            rows.append(.object(["name": .string(bench.name), "forward_ms": .double(forward), "backward_ms": .double(backward)]))
            if !json {
                print(bench.name.padding(toLength: 30, withPad: " ", startingAt: 0)
                      + String(format: " %12.2f  %12.2f", forward, backward))
            }
        }
        if json {
            var fields: [String: ConfigValue] = ["device": .string(Backends.current.name), "batch": .int(batch),
                                                 "threads": .int(threads ?? ProcessInfo.processInfo.activeProcessorCount), "ops": .array(rows)]
            if let vulkan = Backends.current as? VulkanBackend { fields["large_tiles"] = .string(vulkan.largeTiles.rawValue) }
            print(ConfigValue.object(fields).canonicalJSON)
        }
    }

    private func median(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<2 {
            try body()
            try Backends.current.synchronize()
        }
        var times: [Double] = []
        for _ in 0..<reps {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            try Backends.current.synchronize()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return ((times[times.count / 2] + times[(times.count - 1) / 2]) / 2 * 1000).rounded() / 1000
    }
}
