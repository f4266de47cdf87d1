import Foundation
import LabmakeTesting
import Testing

@Suite("The lab's model search space", .serialized)
struct ModelSearchSpaceTests {
    /// The seed lab's tuning runs chose among six of torchvision's models by name.
    static let models = ["resnet18", "resnet50", "mobilenet_v2", "densenet121", "resnext50_32x4d", "shufflenet_v2_x1_0"]

    @Test("a tune stage over the seed lab's six-model choice trains every model on the digits")
    func sixModels() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.serve("/cifar.tar.gz", try TestArchives.digitsBytes())
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path]
        let choices = Self.models.map { "\"\($0)\"" }.joined(separator: ", ")
        let box = try Sandbox(["labmake.yaml": """
            params: { model: resnet18, epochs: 1, batch_size: 16, initial_lr: 0.02, augment: false }
            stages:
              data:
                uses: cifar10
                with: { url: '\(server.url("/cifar.tar.gz"))', md5: \(TestArchives.digitsMD5), train_subset: 32, validation: 16 }
              tune:
                uses: tune
                with:
                  search_space: { model: { _type: choice, _value: [\(choices)] } }
                  tuner: grid
                  max_trials: 6
            """])
        let run = try box.labmake("run", "--json", environment: env, timeout: 900)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let trials = try jsonArray(box.labmake("trials", "tune", "--json").stdout)
        let tried = trials.compactMap { ($0["parameter"] as? [String: Any])?["model"] as? String }
        #expect(Set(tried) == Set(Self.models), "\(tried)")
        for trial in trials { #expect(trial["status"] as? String == "SUCCEEDED", "\(trial)") }
    }
}
