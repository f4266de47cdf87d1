import Foundation
import SystemIO
import Testing

/// `labmake serve --control` beside `labmake run`, both the real binary: the requests a user sends from
/// the experiment's page, applied by the run.
@Suite("labmake serve --control beside labmake run", .serialized)
struct ServeControlTests {
    /// Waits for the file `release`; trial 2 fails until the file `healed` exists.
    static let trial = """
        import json, os, sys, time
        p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
        if os.environ["LABMAKE_TRIAL_NUMBER"] == "2" and not os.path.exists("healed"):
            sys.exit("trial 2 fails until healed")
        while not os.path.exists("release"):
            time.sleep(0.05)
        print(p["x"], flush=True)
        """

    static let pipeline = """
        stages:
          tune:
            uses: tune
            with:
              search_space: { x: { _type: uniform, _value: [0, 1] } }
              trial_command: python3 trial.py
              tuner: random
              max_trials: 3
              concurrency: 2
        """

    @Test("from the page: a running trial killed, max trials raised, the failed trial rerun — the run applies each and the page shows its answers")
    func killRaiseRerun() throws {
        let box = try Sandbox(["labmake.yaml": Self.pipeline, "trial.py": Self.trial])
        let run = try box.start(["run"])
        defer { if run.process.isRunning { try? box.write("release", ""); _ = try? run.wait(timeout: 60) } }
        let serve = try box.start(["serve", "--port", "0", "--control"])
        defer { serve.stop() }
        let port = try serve.servedPort()

        func statuses() -> [Int: String] {
            guard let text = try? ServeTests.get(port, "/export.json?name=tune"),
                  let trials = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] else { return [:] }
            var result: [Int: String] = [:]
            for trial in trials { if let n = trial["trial"] as? Int, let s = trial["status"] as? String { result[n] = s } }
            return result
        }
        func until(_ what: String, _ condition: () -> Bool) throws {
            let deadline = Date().addingTimeInterval(60)
            while !condition() {
                guard Date() < deadline else { throw TestFailure("\(what) did not happen; trials \(statuses())") }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        try until("trials 1 and 3 running, 2 failed") { statuses() == [1: "RUNNING", 2: "FAILED", 3: "RUNNING"] }
        let page = try ServeTests.get(port, "/experiment?name=tune")
        let token = try #require(page.components(separatedBy: "name=\"token\" value=\"").dropFirst().first?.prefix { $0 != "\"" })
        func ask(_ fields: String) throws -> LoopbackHTTP.Response {
            try LoopbackHTTP.request(port: port, method: "POST", path: "/control",
                                     headers: ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                                     body: Data("token=\(token)&experiment=tune&\(fields)".utf8), timeout: 10)
        }

        #expect(try ask("action=kill&trial=1").status == 202)
        try until("trial 1 killed") { statuses()[1] == "USER_CANCELED" }
        #expect(try ask("action=max-trials&value=4").status == 202)
        try until("trial 4 started") { statuses()[4] == "RUNNING" }
        try box.write("healed", "")
        #expect(try ask("action=rerun-failed").status == 202)
        try until("trial 2 waiting") { statuses()[2] == "WAITING" }
        try until("the answers on the page") {
            let body = (try? ServeTests.get(port, "/experiment?name=tune")) ?? ""
            return body.contains("killing trial 1") && body.contains("max_trials 3 → 4") && body.contains("rerunning trial 2")
        }
        try box.write("release", "")
        let result = try run.wait(timeout: 60)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(statuses() == [1: "USER_CANCELED", 2: "SUCCEEDED", 3: "SUCCEEDED", 4: "SUCCEEDED"])
        #expect(result.stdout.contains("labmake serve asked kill trial 1: killing trial 1"), "\(result.stdout)")

        // The killed trial stays killed; the run is done, and a request now says nothing would apply it.
        #expect(try ask("action=max-trials&value=9").status == 409)
        let trials = try box.labmake("trials", "tune", "--json")
        #expect(trials.stdout.contains("killed at the user's request"))
    }

    @Test("notes saved from the report page make the report stale by the pipeline's own rules, and the next run puts them in the report")
    func notesIntoReport() throws {
        let pipeline = """
            stages:
              report:
                uses: report
                with: { templates: [report.md], notes: notes.md }
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "report.md": "# {{title}}\n{{#notes}}\n## Notes\n\n{{{notes}}}\n{{/notes}}\n",
                               "notes.md": "First look.\n"])
        let first = try box.labmake("run")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(box.read("report/REPORT.md")?.contains("## Notes\n\nFirst look.") == true)
        let serve = try box.start(["serve", "--port", "0", "--control"])
        defer { serve.stop() }
        let port = try serve.servedPort()
        var page = ""
        for _ in 0..<100 where !page.contains("notes-editor") {
            page = (try? ServeTests.get(port, "/report/report/")) ?? ""
            if !page.contains("notes-editor") { Thread.sleep(forTimeInterval: 0.1) }
        }
        func field(_ name: String) throws -> String {
            try #require(page.components(separatedBy: "name=\"\(name)\" value=\"").dropFirst().first.map { String($0.prefix { $0 != "\"" }) })
        }
        let body = "token=\(try field("token"))&stage=report&base=\(try field("base"))&text=Warm-up+helps.%0A"
        let saved = try LoopbackHTTP.request(port: port, method: "POST", path: "/notes", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                             body: Data(body.utf8), timeout: 10)
        #expect(saved.status == 303)
        #expect(box.read("notes.md") == "Warm-up helps.\n")
        let status = try box.labmake("status")
        #expect(status.stdout.contains("notes.md"), "the report is stale because of its notes: \(status.stdout)")
        #expect(try box.labmake("run").status == 0)
        #expect(box.read("report/REPORT.md")?.contains("## Notes\n\nWarm-up helps.") == true)
    }
}
