import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LabmakeTesting
import Testing

/// The repository's CIFAR-10 lab (pipelines/cifar10.yaml, its search space, the report templates),
/// shrunk to run in a minute on the digits dataset.
func smallLab(dataURL: String) throws -> [String: String] {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func read(_ path: String) throws -> String { try String(contentsOf: repository.appendingPathComponent(path), encoding: .utf8) }
    var lab = try read("pipelines/cifar10.yaml")
    for (from, to) in [
        ("with: { train_subset: 4000, validation: 1000 }", "with: { url: '\(dataURL)', md5: \(TestArchives.digitsMD5), train_subset: 300, validation: 100 }"),
        ("model: resnet20", "model: mlp"), ("epochs: 4", "epochs: 1"), ("max_trials: 20", "max_trials: 4"), ("set: { epochs: 15 }", "set: { epochs: 2 }"),
        ("model: [simple-cnn, small-cnn]", "model: [simple-cnn]"), ("epochs: [2, 6]", "epochs: [2]"), ("epochs: 6 }", "epochs: 2 }"),
    ] {
        #expect(lab.contains(from), "pipelines/cifar10.yaml no longer has '\(from)'")
        lab = lab.replacingOccurrences(of: from, with: to)
    }
    return ["pipelines/cifar10.yaml": lab, "pipelines/search_space.json": try read("pipelines/search_space.json"),
            "templates/lab-report.md": try read("templates/lab-report.md"), "templates/lab-report.zh.md": try read("templates/lab-report.zh.md")]
}

@Suite("The CIFAR-10 lab end to end", .serialized)
struct LabTests {
    @Test("every stage runs; the report has every section, agrees with the trials table, and its charts are well-formed SVG; reruns redo only what changed")
    func lab() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.serve("/cifar.tar.gz", try TestArchives.digitsBytes())
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path]
        let box = try Sandbox(try smallLab(dataURL: server.url("/cifar.tar.gz")))
        let stages = ["data", "manual-sweep", "tune", "retrain-best", "report"]

        let first = try box.labmake("run", "pipelines/cifar10.yaml", "--json", environment: env, timeout: 900)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try statuses(first.stdout) == Dictionary(uniqueKeysWithValues: stages.map { ($0, "executed") }))

        let report = try #require(box.read("pipelines/reports/REPORT.md"))
        for heading in ["## 1. Environment", "## 2. Baseline", "## 3. Manual sweep", "### initial_lr", "### Combined configurations",
                        "## 4. Automatic tuning", "## 5. Retraining the best configuration", "## 6. Manual versus automatic",
                        "## 7. The pipeline", "```mermaid", "| Automatic tuning |"] {
            #expect(report.contains(heading), "REPORT.md lacks \(heading)")
        }
        #expect(try #require(box.read("pipelines/reports/REPORT.zh.md")).contains("## 四、自动调参"))
        #expect(!report.contains("{{") && !report.contains("&quot;"))

        // The tuning table agrees with the trials stored in the workspace database.
        let listed = try box.labmake("trials", "tune", "-f", "pipelines/cifar10.yaml", "--json")
        #expect(listed.status == 0, "\(listed.stderr)")
        let trials = try jsonArray(listed.stdout)
        #expect(trials.count == 4)
        let tuningSection = try #require(report.components(separatedBy: "## 4. Automatic tuning").last?.components(separatedBy: "## 5.").first)
        for trial in trials {
            let number = try #require(trial["trial"] as? Int), status = try #require(trial["status"] as? String)
            let intermediates = (trial["intermediate"] as? [String] ?? []).compactMap(Double.init)
            var metric = (trial["value"] as? String).flatMap(Double.init).map { String(format: "%.2f%%", $0 * 100) } ?? "–"
            // A trial stopped early shows its last intermediate result and the epoch it stopped at.
            if trial["value"] is NSNull || trial["value"] == nil, status == "EARLY_STOPPED", let last = intermediates.last {
                metric = String(format: "%.2f%% (epoch %d)", last * 100, intermediates.count)
            }
            let row = tuningSection.split(separator: "\n").first { $0.hasPrefix("| ") && $0.split(separator: "|").count > 3
                && $0.split(separator: "|")[1].trimmingCharacters(in: .whitespaces) == String(number) }
            #expect(row?.contains(status) == true && row?.contains(metric) == true, "trial \(number): \(row ?? "no row")")
        }
        let bestMetric = trials.filter { $0["status"] as? String == "SUCCEEDED" }.compactMap { ($0["value"] as? String).flatMap(Double.init) }.max() ?? 0
        #expect(tuningSection.contains("Best trial: ") && tuningSection.contains(String(format: "**%.2f%%**", bestMetric * 100)))

        for chart in ["sweep-trials.svg", "tuning-trials.svg", "parallel-coordinates.svg", "learning-curve.svg"] {
            let svg = try #require(box.read("pipelines/reports/" + chart), "\(chart) missing")
            #expect(XMLParser(data: Data(svg.utf8)).parse(), "\(chart) is not well-formed XML")
            #expect(svg.hasPrefix("<svg") && report.contains("](\(chart))"))
        }

        // Rendering again from the same inputs gives the same bytes.
        #expect(try box.labmake("report", "pipelines/cifar10.yaml", environment: env).status == 0)
        let rendered = box.read("pipelines/reports/REPORT.md")
        #expect(try box.labmake("report", "pipelines/cifar10.yaml", environment: env).status == 0)
        #expect(box.read("pipelines/reports/REPORT.md") == rendered)

        // A rerun executes nothing but the report that `labmake report` rewrote.
        _ = try box.labmake("run", "pipelines/cifar10.yaml", environment: env, timeout: 600)
        let again = try box.labmake("run", "pipelines/cifar10.yaml", "--json", environment: env, timeout: 600)
        #expect(try statuses(again.stdout).values.allSatisfy { $0 == "cached" }, "\(again.stdout)")

        // Editing the template reruns only the report.
        try box.write("templates/lab-report.md", try #require(box.read("templates/lab-report.md")) + "\nEdited.\n")
        let edited = try statuses(box.labmake("run", "pipelines/cifar10.yaml", "--json", environment: env, timeout: 600).stdout)
        #expect(edited == ["data": "cached", "manual-sweep": "cached", "tune": "cached", "retrain-best": "cached", "report": "executed"])
        #expect(box.read("pipelines/reports/REPORT.md")?.hasSuffix("Edited.\n") == true)

        // Two more tuning trials: exactly two new trials, then the retraining and the report.
        let more = try box.labmake("run", "pipelines/cifar10.yaml", "--json", "--set", "tune.max_trials=6", environment: env, timeout: 600)
        #expect(more.status == 0, "\(more.stderr)")
        #expect(try statuses(more.stdout) == ["data": "cached", "manual-sweep": "cached", "tune": "executed", "retrain-best": "executed",
                                               "report": "executed"])
        let newTrials = try jsonArray(box.labmake("trials", "tune", "-f", "pipelines/cifar10.yaml", "--json").stdout)
        #expect(newTrials.count == 6)
        #expect(zip(trials, newTrials).allSatisfy { ($0["key"] as? String) == ($1["key"] as? String) && ($0["startedAt"] as? Double) == ($1["startedAt"] as? Double) && $0["startedAt"] != nil },
                "the first four trials are kept, not rerun")

        // A new baseline learning rate reruns the sweep, not the data stage.
        let lr = try statuses(box.labmake("run", "pipelines/cifar10.yaml", "--json", "--set", "tune.max_trials=6", "--set", "initial_lr=0.02",
                                          environment: env, timeout: 900).stdout)
        #expect(lr["data"] == "cached")
        #expect(lr["manual-sweep"] == "executed")
        #expect(server.requests.count == 1, "the dataset is downloaded once")
    }

    @Test("offline, the lab fails at the data stage and says how to use a local copy; that works")
    func offline() throws {
        _ = try TestArchives.digitsBytes()
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path, "LABMAKE_DOWNLOAD_RETRIES": "0"]
        // Nothing listens on port 1: the connection fails as it does without a network.
        let box = try Sandbox(try smallLab(dataURL: "http://127.0.0.1:1/cifar-10-binary.tar.gz"))
        let failed = try box.labmake("run", "pipelines/cifar10.yaml", environment: env)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("--set data.url=file:///path/to/cifar-10-binary.tar.gz"))
        let status = try statuses(try box.labmake("run", "pipelines/cifar10.yaml", "--json", "--set", "data.url=file://\(TestArchives.digits)",
                                                  "--set", "tune.max_trials=2", environment: env, timeout: 900).stdout)
        #expect(status["data"] == "executed" && status["report"] == "executed", "\(status)")
    }
}
