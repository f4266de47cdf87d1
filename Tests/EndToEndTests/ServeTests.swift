import Foundation
import SystemIO
import Testing

/// `labmake serve` beside `labmake run`, both the real binary, as a user runs them in two terminals.
@Suite("labmake serve beside labmake run", .serialized)
struct ServeTests {
    static let trial = """
        import json, os, sys, time
        p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
        for epoch in range(1, 4):
            time.sleep(0.15)
            print(p["x"] * epoch / 3, flush=True)
        """

    @Test("started before the first run, the dashboard waits for the workspace, then shows the run's stages and trials as they come, equal to labmake trials --json")
    func beside() throws {
        let pipeline = """
            stages:
              tune:
                uses: tune
                with:
                  search_space: { x: { _type: uniform, _value: [0, 1] } }
                  trial_command: python3 trial.py
                  tuner: random
                  max_trials: 8
              report:
                cmd: mkdir -p out && cat tune/best.json > out/best.txt
                deps: [tune/best.json]
                outs: [out]
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "trial.py": Self.trial])
        let serve = try box.start(["serve", "--port", "0"])
        defer { serve.stop() }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(serve.process.isRunning, "serve waits for the workspace rather than failing")
        func served() -> String {
            guard !serve.process.isRunning, let result = try? serve.wait(timeout: 1) else { return "serve is running" }
            return "serve ended (\(result.status)): \(result.stderr)"
        }

        let run = try box.start(["run"])
        let port = try serve.servedPort()
        var counts: [Int] = []
        var sawRunning = false
        let deadline = Date().addingTimeInterval(60)
        while run.process.isRunning, Date() < deadline {
            if let page = try? Self.get(port, "/experiment?name=tune"), let count = Self.count(in: page) { counts.append(count) }
            if let overview = try? Self.get(port, "/"), overview.contains("data-testid=\"run-in-progress\"") { sawRunning = true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let result = try run.wait(timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(sawRunning, "the overview said a run was in progress; \(served())")
        #expect(Set(counts).count >= 3, "the trial count grew while the run went on: \(counts); \(served())")

        // Once the run is over, every number the page gives is the CLI's.
        Thread.sleep(forTimeInterval: 1.5)
        let export = try Self.get(port, "/export.json?name=tune")
        let cli = try box.labmake("trials", "tune", "--json")
        #expect(export == cli.stdout, "the dashboard's export is labmake trials --json")
        let page = try Self.get(port, "/experiment?name=tune")
        #expect(Self.count(in: page) == 8)
        let trials = try #require(try JSONSerialization.jsonObject(with: Data(cli.stdout.utf8)) as? [[String: Any]])
        for trial in trials {
            let value = try #require(trial["value"] as? String)
            #expect(page.contains("<tr data-trial=\"\(trial["trial"]!)\">") && page.contains("data-value=\"\(value)\""), "trial \(trial["trial"]!)")
        }
        let stagePage = try Self.get(port, "/stage?name=tune")
        #expect(stagePage.contains("labmake.yaml:2:3, resolved") && stagePage.contains("<span class=\"s\">python3 trial.py</span>")
                && stagePage.contains("{&quot;x&quot;:{&quot;_type&quot;:&quot;uniform&quot;,&quot;_value&quot;:[0,1]}}"), "the stage's definition and search space")
        let overview = try Self.get(port, "/")
        #expect(overview.contains("data-stage=\"tune\" data-status=\"up-to-date\"") && overview.contains("data-stage=\"report\" data-status=\"up-to-date\""))
        // A dependency touched: the stage turns stale on the page, with labmake status's reason.
        try box.write("tune/best.json", "{}")
        var stale = ""
        for _ in 0..<40 where !stale.contains("data-stage=\"report\" data-status=\"stale\"") {
            Thread.sleep(forTimeInterval: 0.1)
            stale = (try? Self.get(port, "/")) ?? ""
        }
        #expect(stale.contains("data-stage=\"report\" data-status=\"stale\""))
        let status = try box.labmake("status")
        #expect(status.stdout.contains("output tune modified") && stale.contains("output tune modified"), "the words of labmake status")
    }

    @Test("without a pipeline file or a workspace, serve says what to do; a port in use is named")
    func refusals() throws {
        let box = try Sandbox()
        let none = try box.labmake("serve", "--port", "0")
        #expect(none.status == 2 && none.stderr.contains("no labmake workspace here yet") && none.stderr.contains("labmake serve pipelines/cifar10.yaml"),
                "\(none.stderr)")
        #expect(try box.labmake("serve", "--port", "70000").stderr.contains("--port must be between 0 and 65535"))
        #expect(try box.labmake("serve", "missing.yaml").stderr.contains("no pipeline file at missing.yaml"))
        try box.write("labmake.yaml", "stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n")
        #expect(try box.labmake("run").status == 0)
        let first = try box.start(["serve", "--port", "0"])
        defer { first.stop() }
        let port = try first.servedPort()
        var up = false
        for _ in 0..<50 where !up { up = (try? Self.get(port, "/")) != nil; if !up { Thread.sleep(forTimeInterval: 0.1) } }
        #expect(up)
        let second = try box.labmake("serve", "--port", String(port), timeout: 20)
        #expect(second.status == 1 && second.stderr.contains("port \(port) on 127.0.0.1 is in use; --port 0 picks a free one"), "\(second.stderr)")
        #expect(try box.labmake("serve", "--host", "localhost").stderr.contains("'localhost' is not an IPv4 address"))
        #expect(try box.labmake("serve", "--url-prefix", "lab").stderr.contains("--url-prefix must be a path such as /lab"))
        #expect(try box.labmake("serve", "--url-prefix", "/a/../b").stderr.contains("--url-prefix must be a path such as /lab"))
    }

    @Test("serve ends on SIGTERM even when the process that started it had SIGTERM blocked (a child inherits the mask)")
    func endsOnTerm() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  a:\n    cmd: echo hi > a.txt\n    outs: [a.txt]\n"])
        var blocked = sigset_t(), previous = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGTERM)
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        let serve = Result { try box.start(["serve", "--port", "0"]) }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
        let running = try serve.get()
        defer { running.stop(grace: 1) }
        Thread.sleep(forTimeInterval: 1)
        #expect(running.process.isRunning, "serve waits for the workspace")
        running.signal(SIGTERM)
        let ended = Date().addingTimeInterval(10)
        while running.process.isRunning && Date() < ended { Thread.sleep(forTimeInterval: 0.02) }
        #expect(!running.process.isRunning, "serve still runs 10 s after SIGTERM")
    }

    static func count(in page: String) -> Int? {
        guard let range = page.range(of: "data-testid=\"count-all\">") else { return nil }
        return Int(page[range.upperBound...].prefix { $0.isNumber })
    }

    /// GET; the body, or an error for anything but 200.
    static func get(_ port: UInt16, _ path: String) throws -> String {
        let response = try LoopbackHTTP.request(port: port, path: path, timeout: 10)
        guard response.status == 200 else { throw TestFailure("\(path): \(response.status)") }
        return response.text
    }
}
