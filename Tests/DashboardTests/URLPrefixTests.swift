import Dashboard
import Foundation
import Pipeline
import Testing
import Tuner

/// `labmake serve --url-prefix /lab`, as a reverse proxy passes requests on: every link, form, asset,
/// redirect and the event stream under the prefix.
@Suite("labmake serve behind a reverse proxy's path")
struct URLPrefixTests {
    @Test("pages answer under the prefix only, their links and redirects carry it, and the events stream is there")
    func prefixed() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5), fixture.trial(2, .running)], experiment: "tune#aaa")
        let pipeline = PipelineState(file: "labmake.yaml", stages: [.init(name: "tune", kind: "tune", status: "running", maximize: true),
                                                                   .init(name: "report", kind: "report", status: "stale", upstream: [0])])
        let (server, http) = try await fixture.serve(pipeline: { pipeline }, control: try ControlChannel(root: fixture.root, token: "t"),
                                                     urlPrefix: "/users/ada/lab")
        defer { Task { await server.stop() } }
        let overview = try await http.get("/users/ada/lab/")
        #expect(overview.status == 200)
        #expect(overview.body.contains("href=\"/users/ada/lab/assets/dashboard.css\"") && overview.body.contains("src=\"/users/ada/lab/assets/dashboard.js\""))
        #expect(overview.body.contains("href=\"/users/ada/lab/experiment?name=tune%23aaa\""))
        #expect(overview.body.contains("action=\"/users/ada/lab/compare\"") && overview.body.contains("data-prefix=\"/users/ada/lab\""))
        #expect(!overview.body.contains("href=\"/experiment") && !overview.body.contains("action=\"/compare"), "no link leaves the prefix")
        #expect(try await http.get("/users/ada/lab/assets/dashboard.js").status == 200)
        #expect(try await http.get("/").status == 404)
        #expect(try await http.get("/users/ada/lab").headers["location"] == "/users/ada/lab/")
        #expect(try await http.get("/users/ada/lab/report").headers["location"] == "/users/ada/lab/report/report/")
        let experiment = try await http.get("/users/ada/lab/experiment?name=tune%23aaa").body
        #expect(experiment.contains("action=\"/users/ada/lab/control\""))
        let back = try await http.request("POST", "/users/ada/lab/control", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                          body: Data("token=t&experiment=tune%23aaa&action=kill&trial=2&return=%2Fexperiment%3Fname%3Dtune%2523aaa".utf8))
        #expect(back.status == 303 && back.headers["location"] == "/users/ada/lab/experiment?name=tune%23aaa")
        let events = try await http.stream("/users/ada/lab/events", seconds: 30) { $0.contains("event: change") }
        #expect(events.contains("text/event-stream") && events.contains("event: change"))
        let nni = try await http.get("/users/ada/lab/api/v1/nni/check-status")
        #expect(nni.status == 200 && nni.body.contains("RUNNING"))
    }
}
