import Foundation
import LabmakeTesting
import Testing

@Suite("The FashionMNIST lab end to end", .serialized)
struct FashionMNISTLabTests {
    /// pipelines/fashion-mnist.yaml on the digits packed as IDX files, shrunk to run in a minute.
    func smallLab(url: String, sha256: String) throws -> [String: String] {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        func read(_ path: String) throws -> String { try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8) }
        var lab = try read("pipelines/fashion-mnist.yaml")
        for (from, to) in [
            ("uses: fashion-mnist\n", "uses: fashion-mnist\n    with: { url: '\(url)', sha256: \(sha256), train_subset: 400 }\n"),
            ("epochs: 10", "epochs: 1"), ("max_trials: 10", "max_trials: 3"),
        ] {
            #expect(lab.contains(from), "pipelines/fashion-mnist.yaml no longer has '\(from)'")
            lab = lab.replacingOccurrences(of: from, with: to)
        }
        return ["pipelines/fashion-mnist.yaml": lab, "pipelines/fashion-mnist-space.json": try read("pipelines/fashion-mnist-space.json"),
                "templates/lab-report.md": try read("templates/lab-report.md"), "templates/lab-report.zh.md": try read("templates/lab-report.zh.md")]
    }

    @Test("baseline, sweep, TPE over the tutorial's space, retraining and the report run; a rerun does nothing")
    func lab() throws {
        let (server, sha256) = try idxServer()
        defer { server.stop() }
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path]
        let box = try Sandbox(try smallLab(url: server.url("/idx/"), sha256: sha256))
        let stages = ["data", "manual-sweep", "tune", "retrain-best", "report"]
        let first = try box.labmake("run", "pipelines/fashion-mnist.yaml", "--json", environment: env, timeout: 900)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try statuses(first.stdout) == Dictionary(uniqueKeysWithValues: stages.map { ($0, "executed") }))

        let listed = try box.labmake("trials", "tune", "-f", "pipelines/fashion-mnist.yaml", "--json")
        let trials = try jsonArray(listed.stdout)
        #expect(trials.count == 3)
        for trial in trials {
            let parameters = try #require(trial["parameter"] as? [String: Any])
            #expect(Set(parameters.keys) == ["batch_size", "hidden_size1", "hidden_size2", "lr", "momentum"])
            #expect([128, 256, 512, 1024].contains(parameters["hidden_size1"] as? Int ?? 0))
            #expect(trial["status"] as? String == "SUCCEEDED", "\(trial)")
        }
        let report = try #require(box.read("pipelines/reports/fashion-mnist/REPORT.md"))
        #expect(report.hasPrefix("# Fashion-MNIST AutoML lab report\n"), "\(report.prefix(100))")
        #expect(report.contains("Dataset: **fashion-mnist**, 10 classes (T-shirt/top, Trouser"), "\(report.prefix(1500))")
        #expect(report.contains("## 5. Retraining the best configuration"))
        // The digits are easy: far above chance (10%) after one epoch of the tutorial's recipe, with the best tried learning rate.
        let text = try #require(box.read("pipelines/retrain-best/metrics.json"))
        let metrics = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((metrics["final_accuracy"] as? Double ?? 0) > 0.5, "\(metrics)")

        let again = try box.labmake("run", "pipelines/fashion-mnist.yaml", "--json", environment: env)
        #expect(try statuses(again.stdout) == Dictionary(uniqueKeysWithValues: stages.map { ($0, "cached") }))
    }
}
