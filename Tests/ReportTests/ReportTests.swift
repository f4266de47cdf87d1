import Foundation
import Testing
@testable import Report

@Suite("The lab report")
struct ReportTests {
    func trial(_ n: Int, _ metric: Double?, status: String = "SUCCEEDED", label: String? = nil, parameter: String? = nil,
               parameters: [String: String] = [:]) -> ReportModel.Trial {
        ReportModel.Trial(number: n, label: label, parameter: parameter, parameters: parameters, status: status, metric: metric,
                          intermediates: metric.map { [$0] } ?? [], seconds: 2.5, reused: false)
    }

    var model: ReportModel {
        let sweep = ReportModel.Sweep(strategy: "one-at-a-time", baseline: ["initial_lr": "0.05", "model": "resnet20"], varied: ["initial_lr"],
                                      trials: [trial(1, 0.80, label: "baseline", parameters: ["initial_lr": "0.05", "model": "resnet20"]),
                                               trial(2, 0.85, label: "initial_lr=0.1", parameter: "initial_lr",
                                                     parameters: ["initial_lr": "0.1", "model": "resnet20"]),
                                               trial(3, 0.70, label: "initial_lr=0.01", parameter: "initial_lr",
                                                     parameters: ["initial_lr": "0.01", "model": "resnet20"])],
                                      bestTrial: 2)
        let tuning = ReportModel.Tuning(tuner: "tpe", trials: [trial(1, 0.82, parameters: ["initial_lr": "0.02", "cutout": "8"]),
                                                               trial(2, nil, status: "FAILED", parameters: ["initial_lr": "0.3", "cutout": "0"]),
                                                               trial(3, 0.9, parameters: ["initial_lr": "0.07", "cutout": "16"])],
                                        bestTrial: 3, bestParameters: ["initial_lr": "0.07", "cutout": "16", "model": "resnet20"])
        let epochs = (1...3).map { (k: Int) -> ReportModel.Epoch in
            let x = Double(k)
            return ReportModel.Epoch(epoch: k, trainLoss: 2.0 / x, trainAccuracy: 0.3 * x, testLoss: 2.1 / x, testAccuracy: 0.28 * x,
                                     learningRate: 0.1 / x, seconds: 61)
        }
        return ReportModel(title: "A <lab> & its report", environment: .init(cpu: "Test CPU", cores: 2, memoryBytes: 8 << 30, gpu: "none", os: "Debian",
                                                                         swift: "6.3", labmake: "0.1.0", backend: "cpu"),
                           dataset: .init(name: "cifar10", classes: ["a", "b"], train: 400, validation: 100, test: 300),
                           trialMetric: "validation accuracy", sweep: sweep, tuning: tuning,
                           retraining: .init(fromStage: "tune", fromTrial: 3, parameters: ["epochs": "3"], epochs: epochs, finalAccuracy: 0.84,
                                             seconds: 183),
                           pipeline: .init(mermaid: "flowchart LR\n  s0[\"data\"]\n", stages: [.init(name: "data", kind: "cifar10", status: "cached", seconds: 1.5)]))
    }

    @Test("numbers are written for people")
    func text() {
        #expect(ReportText.percent(0.93126) == "93.13%")
        #expect(ReportText.percent(nil) == "–")
        #expect(ReportText.points(-0.0123) == "-1.23 pp")
        #expect(ReportText.duration(3.456) == "3.46 s")
        #expect(ReportText.duration(125) == "2 min 05 s")
        #expect(ReportText.duration(3720) == "1 h 02 min")
        #expect(ReportText.value("0.00050000000000000001") == "0.0005")
        #expect(ReportText.value("128") == "128")
        #expect(ReportText.cell("a|b") == "a\\|b")
    }

    @Test("a template sees the sections, tables marked with the best, and nothing is HTML-escaped")
    func markdown() throws {
        let template = """
            # {{title}}
            {{#sweep.tables}}{{parameter}}:{{#rows}} {{value}}={{accuracy}}{{#best}}*{{/best}}{{/rows}}{{/sweep.tables}}
            {{#tuning.trials}}{{rank}}.{{number}} {{status}} {{accuracy}}|{{/tuning.trials}}
            {{comparison.manual.gain}} {{comparison.automatic.gain}} {{#comparison.winner_automatic}}auto{{/comparison.winner_automatic}}
            {{retraining.accuracy}} {{charts.learning_curve}}
            """
        let text = try LabReport(model).markdown(template: template)
        #expect(text.contains("# A <lab> & its report"))
        #expect(text.contains("initial_lr: 0.01=70.00% 0.05=80.00% 0.1=85.00%*"))
        #expect(text.contains("1.3 SUCCEEDED 90.00%|2.1 SUCCEEDED 82.00%|3.2 FAILED –|"))
        #expect(text.contains("+5.00 pp +10.00 pp auto"))
        #expect(text.contains("84.00% learning-curve.svg"))
    }

    @Test("the real templates render every section in English and Chinese")
    func templates() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let english = try LabReport(model).markdown(template: try String(contentsOf: repository.appendingPathComponent("templates/lab-report.md"), encoding: .utf8))
        for heading in ["## 1. Environment", "## 2. Baseline", "## 3. Manual sweep", "## 4. Automatic tuning", "## 5. Retraining", "## 6. Manual versus automatic", "## 7. The pipeline"] {
            #expect(english.contains(heading))
        }
        #expect(english.contains("| **0.1** | 85.00% | SUCCEEDED | 2.50 s | 2 |"))
        #expect(english.contains("final **test accuracy 84.00%**"))
        let chinese = try LabReport(model).markdown(template: try String(contentsOf: repository.appendingPathComponent("templates/lab-report.zh.md"), encoding: .utf8))
        #expect(chinese.contains("## 六、手动调参与自动调参对比"))
        #expect(chinese.contains("| 自动调参 | 90.00% | +10.00 pp | 3 | 7.50 s |"))
    }

    @Test("the lab's notes end both reports as Markdown, unescaped; without notes there is no notes section")
    func notes() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var noted = model
        noted.notes = "Trial 7 diverged: *lr* > 0.1 & no warm-up.\n\n- rerun with warm-up\n"
        for (template, heading) in [("lab-report.md", "## Notes"), ("lab-report.zh.md", "## 笔记")] {
            let text = try String(contentsOf: repository.appendingPathComponent("templates/" + template), encoding: .utf8)
            let with = try LabReport(noted).markdown(template: text)
            #expect(with.hasSuffix(heading + "\n\nTrial 7 diverged: *lr* > 0.1 & no warm-up.\n\n- rerun with warm-up\n"), "\(with.suffix(200))")
            #expect(!(try LabReport(model).markdown(template: text)).contains(heading))
            var blank = model
            blank.notes = " \n"
            #expect(!(try LabReport(blank).markdown(template: text)).contains(heading), "blank notes are no notes")
        }
    }

    @Test("charts are the same bytes for the same data, escape their text and stay inside the canvas")
    func charts() {
        let first = LabReport(model).charts, second = LabReport(model).charts
        #expect(first == second)
        #expect(Set(first.keys) == ["sweep-trials.svg", "tuning-trials.svg", "parallel-coordinates.svg", "learning-curve.svg"])
        let tuning = first["tuning-trials.svg"]!
        #expect(tuning.components(separatedBy: "<circle").count - 1 == 2, "two succeeded trials, one dot each")
        #expect(tuning.contains("×"), "the failed trial is marked")
        let escaped = ReportCharts.trials([trial(1, 0.5)], title: "a <b> & c", metric: "m")
        #expect(escaped.contains("a &lt;b&gt; &amp; c"))
        let coordinates = first.values.joined().matches(of: /(?:cx|cy|x1|x2|y1|y2)="(-?[0-9.]+)"/).map { Double($0.1)! }
        #expect(coordinates.allSatisfy { $0 >= 0 && $0 <= 640 })
    }
}

@Suite("SVG numbers")
struct SVGNumberTests {
    @Test("coordinates are written exactly as %.1f writes them, ties and negative zero included")
    func oneDecimal() {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.05, 0.15, 0.25, 0.35, -0.04, -0.05, -0.25, 1.45, 2.675, 99.95, 123456.75, -7.25, 1e14, 5e-324]
        for _ in 0..<20000 {
            values.append(Double.random(in: -2000...2000, using: &generator))
            values.append((Double(Int.random(in: -20000...20000, using: &generator)) + 0.5) / 10)
        }
        for x in values { #expect(SVGDocument.n(x) == String(format: "%.1f", x), "\(x)") }
    }
}
