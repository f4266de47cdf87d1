import Dashboard
import Foundation
import Pipeline
import SystemIO
import Stages
import Testing
import Tuner

/// The dashboard over HTTP, without a browser: what each page says against the workspace it reads.
@Suite("labmake serve: pages, exports and live events")
struct DashboardServerTests {
    static let pipeline = PipelineState(file: "labmake.yaml", stages: [
        .init(name: "data", kind: "cifar10", status: "up-to-date"),
        .init(name: "tune", kind: "tune", status: "stale", reasons: ["parameter tune.max_trials changed"], upstream: [0], maximize: true,
              maxTrials: 40, tuner: "tpe"),
        .init(name: "loss", kind: "tune", status: "up-to-date", upstream: [0], maximize: false, commandTrials: true),
        .init(name: "report", kind: "report", status: "stale", reasons: ["upstream stage 'tune' is stale"], upstream: [1, 2]),
    ])

    @Test("an empty workspace shows its pipeline with each stage's status and reasons, and says there is no experiment yet")
    func emptyWorkspace() async throws {
        let fixture = try DashboardFixture()
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline })
        defer { Task { await server.stop() } }
        let page = try await http.get("/")
        #expect(page.status == 200)
        #expect(page.body.contains("data-testid=\"no-experiments\""))
        for stage in Self.pipeline.stages {
            #expect(page.body.contains("data-stage=\"\(stage.name)\" data-status=\"\(stage.status)\""), "\(stage.name)")
        }
        #expect(page.body.contains("parameter tune.max_trials changed"))
        #expect(page.body.contains("data-edge=\"data→tune\"") && page.body.contains("data-edge=\"loss→report\""))
        #expect(!page.body.contains("src=\"http") && !page.body.contains("href=\"http"), "the page loads nothing from elsewhere")
    }

    @Test("the overview lists every experiment with its counts and its best value in its stage's direction")
    func overview() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5), fixture.trial(2, metric: 0.75), fixture.trial(3, .failed, error: "boom"),
                          fixture.trial(4, .running)], experiment: "tune#aaa")
        try fixture.save([fixture.trial(1, metric: 0.4), fixture.trial(2, metric: 0.2)], experiment: "loss#bbb")
        try fixture.save([fixture.trial(1, .earlyStopped, intermediates: [0.1, 0.2])], experiment: "nni-Icvut")
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline })
        defer { Task { await server.stop() } }
        let page = try await http.get("/").body
        let rows = page.components(separatedBy: "<tr data-experiment=").dropFirst()
        #expect(rows.count == 3)
        let tune = try #require(rows.first { $0.hasPrefix("\"tune#aaa\"") })
        #expect(tune.contains("data-testid=\"trial-count\">4 of 40</td>"))
        #expect(tune.contains("data-value=\"0.75\"") && tune.contains("data-status=\"RUNNING\""))
        let loss = try #require(rows.first { $0.hasPrefix("\"loss#bbb\"") })
        #expect(loss.contains("data-value=\"0.2\""), "the loss stage minimizes")
        let nni = try #require(rows.first { $0.hasPrefix("\"nni-Icvut\"") })
        #expect(nni.contains("data-status=\"DONE\"") && nni.contains("<td>–</td>"))
        // The stage's node links to its latest experiment.
        #expect(page.contains("<a href=\"/experiment?name=tune%23aaa\">"))
    }

    @Test("an experiment's page filters, sorts and pages on the server, and its charts draw exactly the filtered trials")
    func experimentPage() async throws {
        let fixture = try DashboardFixture()
        var trials: [TrialRecord] = []
        for n in 1...120 {
            let lr = [0.001, 0.01, 0.1][n % 3]
            let status: TrialStatus = n % 10 == 0 ? .failed : .succeeded
            trials.append(fixture.trial(n, status, metric: status == .failed ? nil : Double(n % 37) / 40,
                                        parameters: ["lr": .double(lr), "optimizer": .string(n % 2 == 0 ? "adam" : "sgd")],
                                        intermediates: [0.1, 0.2, Double(n % 37) / 40]))
        }
        try fixture.save(trials, experiment: "tune#aaa")
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline })
        defer { Task { await server.stop() } }

        let filter = "status:SUCCEEDED metric>0.5 optimizer=adam"
        let adam = ParameterValue.string("adam")
        let expected = trials.filter { (t: TrialRecord) -> Bool in
            t.status == .succeeded && (t.metric ?? 0) > 0.5 && t.configuration["optimizer"] == adam
        }
        let page = try await http.get("/experiment?name=tune&filter=" + filter.replacingOccurrences(of: " ", with: "+")
            .replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ">", with: "%3E")).body
        #expect(page.contains("data-testid=\"shown\">\(expected.count) of 120 trials</span>"))
        let history = try #require(page.components(separatedBy: "data-testid=\"history\"").dropFirst().first?.components(separatedBy: "</figure>").first)
        let drawn = Set(history.components(separatedBy: "<circle").dropFirst().compactMap { Self.attribute("data-trial", in: $0).flatMap(Int.init) })
        #expect(drawn == Set(expected.map(\.number)))
        #expect(page.contains("data-testid=\"count-all\">120</span> trials of <span data-testid=\"max-trials-shown\">40</span>"))
        #expect(page.contains("data-testid=\"importance\"") && page.contains("data-testid=\"distribution\"")
                && page.contains("data-series=\"tune#aaa\" data-points=\"\(expected.count)\""), "the distribution of the filtered trials")

        // Sorted by metric, best first; the failed trials (no metric) come last whatever the order.
        let sorted = try await http.get("/experiment?name=tune%23aaa&sort=metric&desc=1&page=3").body
        let rows = sorted.components(separatedBy: "<tr data-trial=\"").dropFirst().map { Int($0.prefix { $0.isNumber })! }
        #expect(rows.count == 20, "120 rows, 50 a page: page 3 has 20")
        #expect(rows.suffix(12) .allSatisfy { $0 % 10 == 0 })
        let ascending = try await http.get("/experiment?name=tune%23aaa&sort=metric").body
        let first = ascending.components(separatedBy: "<tr data-trial=\"").dropFirst().map { Int($0.prefix { $0.isNumber })! }
        #expect(first.first.map { $0 % 37 } == 1 || first.first == 37, "the lowest metric first: \(first.prefix(3))")
    }

    @Test("a filter that cannot be read says why, naming the field it probably meant")
    func badFilter() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5, parameters: ["lr": .double(0.1)])], experiment: "tune#aaa")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune&filter=lrr%3C0.1").body
        #expect(page.contains("data-testid=\"filter-problem\">unknown field &#39;lrr&#39; in &#39;lrr&lt;0.1&#39; (did you mean &#39;lr&#39;?)"))
        let export = try await http.get("/export.json?name=tune&filter=metric%3Ehigh")
        #expect(export.status == 400 && export.body.contains("'high' in 'metric>high' is not a number"))
    }

    @Test("the export is the bytes of labmake trials --json and --csv, of the filtered trials")
    func export() async throws {
        let fixture = try DashboardFixture()
        let trials = (1...9).map { (n: Int) -> TrialRecord in
            let x = Double(n)
            let parameters: [String: ParameterValue] = ["lr": .double(x / 100), "layers": .int(n % 3)]
            return fixture.trial(n, n == 4 ? .failed : .succeeded, metric: n == 4 ? nil : 1 / x, parameters: parameters, intermediates: [0.5, 1 / x])
        }
        try fixture.save(trials, experiment: "tune#aaa")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        #expect(try await http.get("/export.json?name=tune%23aaa").body == TrialExport.json(trials) + "\n")
        #expect(try await http.get("/export.csv?name=tune%23aaa").body == TrialExport.csv(trials) + "\n")
        let some = trials.filter { ($0.configuration["layers"]?.number ?? -1) == 1 }
        #expect(try await http.get("/export.json?name=tune&filter=layers%3D1").body == TrialExport.json(some) + "\n")
    }

    @Test("a trial's page shows its parameters, curve, logs and the trial its result was reused from")
    func trialPage() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.8, parameters: ["lr": .double(0.1)], intermediates: [0.5, 0.7], key: "same")],
                         experiment: "sweep#one")
        try fixture.save([fixture.trial(3, metric: 0.8, parameters: ["lr": .double(0.1)], intermediates: [0.5, 0.7], reused: true, key: "same")],
                         experiment: "tune#two")
        let folder = fixture.root + "/.labmake/work/tune/trials/tune-two/trial-3"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "epoch 1\nepoch 2 <done>\n".write(toFile: folder + "/trial.log", atomically: true, encoding: .utf8)
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline })
        defer { Task { await server.stop() } }
        let page = try await http.get("/trial?experiment=tune%23two&number=3").body
        #expect(page.contains("data-testid=\"reused-from\" href=\"/trial?experiment=sweep%23one&amp;number=1\""))
        #expect(page.contains("<tr data-parameter=\"lr\"><th>lr</th><td>0.1</td></tr>"))
        #expect(page.contains("data-testid=\"train-line\">labmake train --set lr=0.1</code>"))
        #expect(page.contains("data-testid=\"trial-curve\"") && page.contains("data-points=\"2\""))
        #expect(page.contains("<pre class=\"log\" data-log=\"trial.log\">epoch 1\nepoch 2 &lt;done&gt;</pre>"))
        let missing = try await http.get("/trial?experiment=tune%23two&number=9")
        #expect(missing.status == 404 && missing.body.contains("tune#two has no trial 9"))
        #expect(try await http.get("/experiment?name=nothing").status == 404)
        #expect(try await http.request("POST", "/", body: Data()).status == 405)
    }

    @Test("nested choices become columns and axes of their own; a one-at-a-time sweep becomes a factor × value grid")
    func nestedAndSweep() async throws {
        let fixture = try DashboardFixture()
        let adam: ParameterValue = .nested(["_name": .string("adam"), "beta": .double(0.9)])
        let sgd: ParameterValue = .nested(["_name": .string("sgd"), "momentum": .double(0.5)])
        try fixture.save([fixture.trial(1, metric: 0.5, parameters: ["optimizer": adam]), fixture.trial(2, metric: 0.6, parameters: ["optimizer": sgd])],
                         experiment: "tune#nested")
        let base: [String: ParameterValue] = ["lr": .double(0.1), "batch": .int(64)]
        var sweep = [fixture.trial(1, metric: 0.80, parameters: base)]
        sweep.append(fixture.trial(2, metric: 0.82, parameters: base.merging(["lr": .double(0.05)]) { $1 }))
        sweep.append(fixture.trial(3, metric: 0.79, parameters: base.merging(["lr": .double(0.2)]) { $1 }))
        sweep.append(fixture.trial(4, metric: 0.85, parameters: base.merging(["batch": .int(128)]) { $1 }))
        sweep.append(fixture.trial(5, metric: 0.86, parameters: ["lr": .double(0.05), "batch": .int(128)]))
        try fixture.save(sweep, experiment: "sweep#grid")
        let pipeline = PipelineState(file: "labmake.yaml", stages: [.init(name: "sweep", kind: "sweep", status: "up-to-date", maximize: true)])
        let (server, http) = try await fixture.serve(pipeline: { pipeline })
        defer { Task { await server.stop() } }
        let nested = try await http.get("/experiment?name=tune%23nested").body
        for column in ["optimizer", "optimizer.beta", "optimizer.momentum"] { #expect(nested.contains("data-sort=\"param:\(column)\">")) }
        #expect(try await http.get("/experiment?name=tune%23nested&filter=optimizer%3Dsgd").body.contains("data-testid=\"shown\">1 of 2 trials"))
        let grid = try await http.get("/experiment?name=sweep").body
        #expect(grid.contains("data-testid=\"sweep-grid\""))
        #expect(grid.contains("<tr data-factor=\"lr\">") && grid.contains("<tr data-factor=\"batch\">"))
        #expect(grid.contains("data-trial=\"2\" data-best=\"1\"") && grid.contains("data-trial=\"4\" data-best=\"1\""))
        #expect(!grid.contains("data-trial=\"3\" data-best"))
        #expect(grid.contains("<th>combination</th><td colspan=\"2\">batch=128 lr=0.05</td>"))
    }

    @Test("/events pushes a new version after a run's commit, and pages are read while a writer commits")
    func liveEvents() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5)], experiment: "tune#aaa")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        // The trial is written once the page holds the current version: the change must come as a second event.
        let (text, at) = try await Self.changeAfter(http) {
            try? fixture.save([fixture.trial(2, .running, intermediates: [0.3])], experiment: "tune#aaa")
        }
        #expect(text.hasPrefix("HTTP/1.1 200") && text.contains("text/event-stream"))
        #expect(text.dropFirst(at).contains("event: change"), "\(text)")

        // A run keeps committing while pages are read: neither side waits or fails.
        let failures = Locked(0)
        let done = Locked(false)
        let committer = Thread {
            for n in 3...200 {
                do { try fixture.save([fixture.trial(n, metric: Double(n) / 200, intermediates: [0.1, 0.2])], experiment: "tune#aaa") } catch {
                    failures.withLock { $0 += 1 }
                }
            }
            done.withLock { $0 = true }
        }
        committer.start()
        var reads = 0
        while !done.withLock({ $0 }) {
            #expect(try await http.get("/experiment?name=tune").status == 200)
            reads += 1
        }
        #expect(failures.withLock { $0 } == 0)
        #expect(reads > 0)
        #expect(try await http.get("/experiment?name=tune").body.contains("data-testid=\"count-all\">200</span>"))
        // An experiment replaced by fewer trials (an NNI import again) shows only those.
        try fixture.workspace.database.removeTrials(experiment: "tune#aaa")
        try fixture.save([fixture.trial(1, metric: 0.25)], experiment: "tune#aaa")
        #expect(try await http.get("/experiment?name=tune").body.contains("data-testid=\"count-all\">1</span>"))
    }

    @Test("compare: chosen trials side by side with only the differing parameters and each metric's difference to the reference; experiments overlaid")
    func compare() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.80, parameters: ["lr": .double(0.1), "batch": .int(64)], intermediates: [0.5, 0.8]),
                          fixture.trial(2, metric: 0.85, parameters: ["lr": .double(0.05), "batch": .int(64)], intermediates: [0.6, 0.85])],
                         experiment: "sweep#a")
        try fixture.save([fixture.trial(1, metric: 0.70, parameters: ["lr": .double(0.3), "batch": .int(64)]),
                          fixture.trial(2, metric: 0.90, parameters: ["lr": .double(0.02), "batch": .int(64)])], experiment: "tune#b")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/compare?t=sweep:1&t=sweep:2&t=tune%23b:2").body
        #expect(page.contains("<tr data-row=\"param:lr\">") && !page.contains("<tr data-row=\"param:batch\">"), "batch is equal everywhere")
        #expect(page.contains("data-delta=\"+0.05\"") && page.contains("data-delta=\"+0.1\""))
        #expect(page.contains("data-series=\"sweep#a #1\"") && page.contains("data-series=\"sweep#a #2\""))
        let all = try await http.get("/compare?t=sweep:1&t=sweep:2&t=tune%23b:2&all=1&ref=2").body
        #expect(all.contains("<tr data-row=\"param:batch\">"))
        #expect(all.contains("data-delta=\"-0.1\"") && all.contains("data-delta=\"-0.05\""), "differences to the third trial")
        let experiments = try await http.get("/compare?e=sweep&e=tune").body
        #expect(experiments.contains("data-series=\"sweep#a\" data-best=\"0.85\"") && experiments.contains("data-series=\"tune#b\" data-best=\"0.9\""))
        #expect(try await http.get("/compare?t=sweep:9").status == 404)
        #expect(try await http.get("/compare?t=sweep").body.contains("names no trial: write EXPERIMENT:NUMBER"))
        #expect(try await http.get("/compare").body.contains("data-testid=\"nothing-chosen\""))
    }

    @Test("a slice plot per parameter draws each succeeded trial's metric against its value")
    func slices() async throws {
        let fixture = try DashboardFixture()
        try fixture.save((1...12).map { n in
            fixture.trial(n, n == 5 ? .failed : .succeeded, metric: n == 5 ? nil : Double(n) / 12,
                          parameters: ["lr": .double(pow(10, -Double(n % 4) - 1)), "optimizer": .string(n % 2 == 0 ? "adam" : "sgd")])
        }, experiment: "tune#s")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune").body
        let figures = page.components(separatedBy: "data-testid=\"slice\" data-parameter=\"").dropFirst()
        #expect(figures.map { String($0.prefix { $0 != "\"" }) } == ["lr", "optimizer"])
        for figure in figures {
            let svg = figure.components(separatedBy: "</figure>")[0]
            #expect(svg.components(separatedBy: "<circle").count - 1 == 11)
        }
        #expect(figures.first?.contains("log scale") == true, "lr spans a factor of 1,000")
    }

    @Test("the report page renders the report's Markdown with its charts and the pipeline's diagram, with a banner while the stage is stale")
    func reportPage() async throws {
        let fixture = try DashboardFixture()
        let folder = fixture.root + "/reports"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
            # CIFAR-10 lab

            | tuner | best |
            |---|---|
            | TPE | **0.8818** |

            ![tuning](tuning-trials.svg)

            ```mermaid
            graph LR
            ```
            """.write(toFile: folder + "/REPORT.md", atomically: true, encoding: .utf8)
        try "# 实验报告\n".write(toFile: folder + "/REPORT.zh.md", atomically: true, encoding: .utf8)
        try "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>".write(toFile: folder + "/tuning-trials.svg", atomically: true, encoding: .utf8)
        try "secret".write(toFile: fixture.root + "/secret.md", atomically: true, encoding: .utf8)
        let state = Locked(PipelineState(file: "labmake.yaml", stages: [
            .init(name: "tune", kind: "tune", status: "up-to-date"),
            .init(name: "report", kind: "report", status: "stale", reasons: ["upstream stage 'tune' changed"], upstream: [0], outs: ["reports"]),
        ]))
        let (server, http) = try await fixture.serve(pipeline: { state.withLock { $0 } })
        defer { Task { await server.stop() } }
        let moved = try await http.get("/report")
        #expect(moved.status == 301 && moved.headers["location"] == "/report/report/")
        let page = try await http.get("/report/report/").body
        #expect(page.contains("<h1>CIFAR-10 lab</h1>") && page.contains("<strong>0.8818</strong>") && page.contains("<img src=\"tuning-trials.svg\""))
        #expect(!page.contains("language-mermaid") && page.contains("data-stage=\"tune\""), "the diagram replaces the Mermaid block")
        #expect(page.contains("data-testid=\"report-stale\">This report is stale: upstream stage &#39;tune&#39; changed."))
        #expect(page.contains("<a href=\"?file=REPORT.zh.md\">REPORT.zh.md</a>"))
        #expect(try await http.get("/report/report/?file=REPORT.zh.md").body.contains("<h1>实验报告</h1>"))
        let chart = try await http.get("/report/report/tuning-trials.svg")
        #expect(chart.status == 200 && chart.headers["content-type"] == "image/svg+xml")
        #expect(try await http.get("/report/report/..%2Fsecret.md").status != 200)
        #expect(try await http.get("/report/other/").status == 404)
        state.withLock { $0.stages[1].status = "up-to-date"; $0.stages[1].reasons = [] }
        #expect(try await eventuallyAsync { try await !http.get("/report/report/").body.contains("report-stale") })
        #expect(try await http.get("/").body.contains("<a href=\"/report/report/\" data-testid=\"report-link\">report</a>"))
        // The stage's own page: its last run and the tail of its log.
        try fixture.workspace.database.save(StageRecord(stage: "report", key: "k1", definition: "d", deps: ContentMap([("reports/in.txt", nil)]),
                                                        inputs: ContentMap(), outputs: ContentMap([("reports", nil)]), startedAt: 1_790_000_000, seconds: 2.5),
                                            fileHashes: [])
        try FileManager.default.createDirectory(atPath: fixture.root + "/.labmake/logs", withIntermediateDirectories: true)
        try (1...300).map { "line \($0)" }.joined(separator: "\n").write(toFile: fixture.root + "/.labmake/logs/report.log", atomically: true, encoding: .utf8)
        let stage = try await http.get("/stage?name=report").body
        #expect(stage.contains("<tr><th>took</th><td>2.5 s</td></tr>") && stage.contains("<tr data-path=\"reports/in.txt\">"))
        #expect(stage.contains(">line 101\n") && !stage.contains(">line 100\n") && stage.contains("line 300</pre>"), "the last 200 lines")
        let missing = try await http.get("/stage?name=reprot")
        #expect(missing.status == 404 && missing.body.contains("no stage &#39;reprot&#39; (stages: tune, report)"))
    }

    @Test("a running trial's log that grows pushes a change, and its page shows the new line")
    func liveLog() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, .running, intermediates: [0.1])], experiment: "tune#log")
        let folder = fixture.root + "/.labmake/work/tune/trials/tune-log/trial-1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "epoch 1\n".write(toFile: folder + "/trial.log", atomically: true, encoding: .utf8)
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        #expect(try await http.get("/trial?experiment=tune%23log&number=1").body.contains("epoch 1</pre>"))
        // Let the feed see the running trial's files first, so that the change it reports is the new line.
        _ = try await eventuallyAsync { try await http.get("/trial?experiment=tune%23log&number=1").status == 200 }
        try await Task.sleep(nanoseconds: 1_500_000_000)
        let (text, at) = try await Self.changeAfter(http) {
            if let handle = FileHandle(forWritingAtPath: folder + "/trial.log") {
                handle.seekToEndOfFile()
                handle.write(Data("epoch 2\n".utf8))
                try? handle.close()
            }
        }
        #expect(text.dropFirst(at).contains("event: change"), "a change after the line was written: \(text)")
        #expect(try await http.get("/trial?experiment=tune%23log&number=1").body.contains("epoch 1\nepoch 2</pre>"))
    }

    @Test("a host that is not an IPv4 address is refused with what to write instead")
    func badHost() throws {
        let fixture = try DashboardFixture()
        #expect(throws: DashboardServer.StartError.self) {
            _ = try DashboardServer(reader: try WorkspaceReader(root: fixture.root), pipeline: nil, host: "localhost", port: 0)
        }
        #expect(throws: (any Error).self) { _ = try WorkspaceReader(root: fixture.root + "/nowhere") }
    }

    /// Opens `/events`, runs `change` once the first event (the current version) has arrived, and reads until
    /// another event follows it; returns the text and how much of it had arrived when `change` ran.
    static func changeAfter(_ http: HTTPProbe, _ change: @escaping @Sendable () -> Void) async throws -> (String, Int) {
        let mark = Locked<Int?>(nil)
        let text = try await http.stream("/events", seconds: 300) { text in
            if mark.withLock({ $0 }) == nil, text.contains("event: change") {
                mark.withLock { $0 = text.count }
                change()
            }
            guard let at = mark.withLock({ $0 }) else { return false }
            return text.dropFirst(at).contains("event: change")
        }
        return (text, mark.withLock { $0 } ?? text.count)
    }

    static func attribute(_ name: String, in text: String) -> String? {
        guard let range = text.range(of: name + "=\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }
}
