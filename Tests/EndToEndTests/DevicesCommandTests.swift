import Foundation
import LabmakeTesting
import Testing

/// Whether this machine has lavapipe (Debian's mesa-vulkan-drivers), which scripts/setup installs.
let lavapipeDriver = "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json"
let hasLavapipe = FileManager.default.fileExists(atPath: lavapipeDriver)

@Suite("Devices: labmake devices, device auto, vulkan and vulkan:N")
struct DevicesCommandTests {
    /// The Vulkan loader's variables that make it find no driver at all.
    static let noDriver = ["VK_DRIVER_FILES": "/nonexistent/icd.json", "VK_ICD_FILENAMES": "/nonexistent/icd.json"]

    @Test("without any Vulkan driver: devices lists the CPU, auto trains on it and says so, vulkan exits 2")
    func withoutDriver() throws {
        let box = try Sandbox([:])
        let environment = Self.noDriver.merging(["XDG_CACHE_HOME": box.root.path + "/cache"]) { a, _ in a }
        let devices = try box.labmake("devices", environment: environment)
        #expect(devices.status == 0, "\(devices.stderr)")
        #expect(devices.stdout.contains("* cpu"))
        #expect(devices.stdout.contains("no Vulkan device: no Vulkan driver is installed"))
        #expect(devices.stdout.contains("device: auto uses cpu"))

        let auto = try box.labmake("train", "--data", TestArchives.digits, "--model", "mlp", "--epochs", "1", "--device", "auto",
                                   environment: environment, timeout: 300)
        #expect(auto.status == 0, "\(auto.stderr)")
        #expect(auto.stderr.contains("device auto → cpu: no Vulkan GPU"))

        let vulkan = try box.labmake("train", "--data", TestArchives.digits, "--device", "vulkan", environment: environment)
        #expect(vulkan.status == 2)
        #expect(vulkan.stderr.contains("error: --device vulkan: no Vulkan device is available"))
        #expect(!vulkan.stderr.contains("Fatal error"))
    }

    @Test("with lavapipe only: auto keeps to the CPU; vulkan:0 trains on lavapipe", .enabled(if: hasLavapipe, "needs lavapipe (mesa-vulkan-drivers)"))
    func lavapipe() throws {
        let box = try Sandbox([:])
        let environment = ["VK_DRIVER_FILES": lavapipeDriver, "LABMAKE_VULKAN_VALIDATION": "1", "XDG_CACHE_HOME": box.root.path + "/cache"]
        let devices = try box.labmake("devices", "--json", environment: environment)
        #expect(devices.status == 0, "\(devices.stderr)")
        let list = try JSONSerialization.jsonObject(with: Data(devices.stdout.utf8)) as? [String: Any]
        let vulkan = list?["vulkan"] as? [[String: Any]] ?? []
        #expect(vulkan.first?["kind"] as? String == "CPU")
        #expect((vulkan.first?["subgroupSize"] as? Int ?? 0) > 0)
        #expect(list?["automatic"] as? String == "cpu")

        let run = try box.labmake("train", "--data", TestArchives.digits, "--model", "mlp", "--epochs", "1", "--device", "vulkan:0",
                                  "--json", environment: environment, timeout: 600)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("device vulkan:0 → vulkan: llvmpipe"))
        #expect(!run.stderr.contains("validation error"), "\(run.stderr)")
        let metrics = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(metrics?["status"] as? String == "completed")
        #expect((metrics?["final_accuracy"] as? Double ?? 0) > 0.3)
        // The compiled pipelines were cached on disk for the next process.
        let cached = try FileManager.default.contentsOfDirectory(atPath: box.root.path + "/cache/labmake/vulkan")
        #expect(cached.contains { $0.hasPrefix("pipelines-") })
    }
}
