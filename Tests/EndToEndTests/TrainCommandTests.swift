import Foundation
import LabmakeTesting
import Testing

@Suite("labmake train and bench")
struct TrainCommandTests {
    @Test("mistakes exit 2 with the setting named; a missing dataset exits 1 and says what to give")
    func mistakes() throws {
        let box = try Sandbox([:])
        let cache = ["XDG_CACHE_HOME": box.root.path + "/cache"]
        let model = try box.labmake("train", "--data", TestArchives.digits, "--model", "resnet2", environment: cache)
        #expect(model.status == 2)
        #expect(model.stderr.contains("unknown model 'resnet2'; did you mean 'resnet20'?"))
        let setting = try box.labmake("train", "--data", TestArchives.digits, "--set", "initial_lr=fast", environment: cache)
        #expect(setting.status == 2)
        #expect(setting.stderr.contains("initial_lr=fast: initial_lr expects a number > 0"))
        let device = try box.labmake("train", "--data", TestArchives.digits, "--device", "tpu", environment: cache)
        #expect(device.status == 2)
        #expect(device.stderr.contains("unknown device 'tpu'; use auto, cpu, reference, vulkan, vulkan:N or vulkan:NAME"))
        let missing = try box.labmake("train", "--data", "nowhere.tar.gz", environment: cache)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nowhere.tar.gz does not exist: give a CIFAR-10 binary archive"))
    }

    @Test("a run writes weights, a checkpoint and metrics, and prints them as JSON")
    func trainJSON() throws {
        let box = try Sandbox([:])
        let run = try box.labmake("train", "--data", TestArchives.digits, "--model", "mlp", "--epochs", "1", "--out", "run", "--json",
                                  environment: ["XDG_CACHE_HOME": box.root.path + "/cache"], timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        let metrics = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect(metrics?["status"] as? String == "completed")
        #expect((metrics?["epochs"] as? [Any])?.count == 1)
        #expect((metrics?["final_accuracy"] as? Double ?? 0) > 0.5)
        for file in ["run/model.safetensors", "run/checkpoint.safetensors", "run/metrics.json"] { #expect(box.exists(file), "\(file)") }
    }

    @Test("a folder of IDX files trains as 1×28×28 images; a model that pools them to nothing is refused with the size it needs")
    func idxFolder() throws {
        let box = try Sandbox([:])
        for (name, bytes) in try TestIDX.digits() {
            try FileManager.default.createDirectory(at: box.root.appendingPathComponent("digits"), withIntermediateDirectories: true)
            try Data(bytes).write(to: box.root.appendingPathComponent("digits/" + name))
        }
        let cache = ["XDG_CACHE_HOME": box.root.path + "/cache"]
        let run = try box.labmake("train", "--data", "digits", "--model", "mlp", "--epochs", "3", "--set", "hidden_size1=64", "--set", "hidden_size2=32", "--set", "augment=false",
                                  "--set", "lr=0.05", "--json", environment: cache, timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        let metrics = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((metrics?["final_accuracy"] as? Double ?? 0) > 0.8, "\(run.stdout)")
        #expect(metrics?["parameters"] as? Int == 784 * 64 + 64 + 64 * 32 + 32 + 32 * 10 + 10)
        let vgg = try box.labmake("train", "--data", "digits", "--model", "vgg16", "--epochs", "1", environment: cache)
        #expect(vgg.status == 1 && vgg.stderr.contains("vgg16 needs images of at least 32×32 pixels; these are 28×28"), "\(vgg.stderr)")
    }

    @Test("bench train reports speed and memory as JSON")
    func benchTrain() throws {
        let box = try Sandbox([:])
        let run = try box.labmake("bench", "train", "--model", "small-cnn", "--batch", "8", "--steps", "2", "--warmup", "1", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((report?["train_images_per_second"] as? Double ?? 0) > 0)
        #expect((report?["peak_rss_mib"] as? Double ?? 0) > 0)
        #expect(report?["parameters"] as? Int == 94_538)
        let clipped = try box.labmake("bench", "train", "--model", "small-cnn", "--batch", "8", "--steps", "2", "--warmup", "1", "--grad-clip", "1", "--json")
        #expect(clipped.status == 0, "\(clipped.stderr)")
        let clippedReport = try JSONSerialization.jsonObject(with: Data(clipped.stdout.utf8)) as? [String: Any]
        #expect(clippedReport?["grad_clip"] as? Double == 1 && (clippedReport?["train_images_per_second"] as? Double ?? 0) > 0)
        let negative = try box.labmake("bench", "train", "--grad-clip=-1")
        #expect(negative.status != 0 && negative.stderr.contains("--grad-clip must be a number ≥ 0, got -1.0"), "\(negative.stderr)")
        let tiles = try box.labmake("bench", "train", "--device", "cpu", "--large-tiles", "never")
        #expect(tiles.status != 0 && tiles.stderr.contains("--large-tiles applies to a Vulkan device, and the device is cpu"), "\(tiles.stderr)")
    }

    @Test("bench data reports the loader's rate as JSON, and refuses a cutout wider than the image")
    func benchData() throws {
        let box = try Sandbox([:])
        let run = try box.labmake("bench", "data", "--images", "300", "--batch", "64", "--rounds", "2", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        #expect((report?["images_per_second"] as? Double ?? 0) > 0, "\(run.stdout)")
        #expect(report?["images"] as? Int == 300 && report?["cutout"] as? Int == 16)
        let wide = try box.labmake("bench", "data", "--cutout", "40")
        #expect(wide.status != 0 && wide.stderr.contains("--cutout must be between 0 and 32"), "\(wide.stderr)")
    }
}
