import Dashboard
import Foundation
import Pipeline
import Stages
import Testing
import Tuner

/// `labmake serve --control` over HTTP: the forms, the token, the checks before a request is queued, and
/// the run's answer on the page. The run is played by the test: it answers through the queue a run uses.
@Suite("labmake serve --control: requests to a running experiment")
struct DashboardControlTests {
    static func running(_ fixture: DashboardFixture) throws {
        try fixture.save([fixture.trial(1, metric: 0.5), fixture.trial(2, .failed, error: "boom"), fixture.trial(3, .running),
                          fixture.trial(4, .waiting)], experiment: "tune#aaa")
    }

    static func form(_ fields: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return Data(fields.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&").utf8)
    }

    static func post(_ http: HTTPProbe, _ fields: [(String, String)], json: Bool = true) async throws -> HTTPProbe.Response {
        try await http.request("POST", "/control", headers: ["Content-Type": "application/x-www-form-urlencoded"]
                               .merging(json ? ["Accept": "application/json"] : [:]) { $1 }, body: form(fields))
    }

    @Test("without --control the pages have no control and a request is refused")
    func off() async throws {
        let fixture = try DashboardFixture()
        try Self.running(fixture)
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune%23aaa").body
        #expect(!page.contains("action=\"/control\"") && !page.contains("data-testid=\"kill\""))
        let trial = try await http.get("/trial?experiment=tune%23aaa&number=3").body
        #expect(!trial.contains("/control"))
        let refused = try await Self.post(http, [("experiment", "tune#aaa"), ("action", "kill"), ("trial", "3")])
        #expect(refused.status == 403 && refused.body.contains("labmake serve --control"))
    }

    @Test("a request carries the start's token; it is checked against the trials before it is queued")
    func checks() async throws {
        let fixture = try DashboardFixture()
        try Self.running(fixture)
        try fixture.save([fixture.trial(1, metric: 0.5)], experiment: "done#bbb")
        let control = try ControlChannel(root: fixture.root, token: "secret")
        let (server, http) = try await fixture.serve(control: control)
        defer { Task { await server.stop() } }
        let cases: [([(String, String)], Int, String)] = [
            ([("experiment", "tune#aaa"), ("action", "kill"), ("trial", "3")], 403, "token"),
            ([("token", "wrong"), ("experiment", "tune#aaa"), ("action", "kill"), ("trial", "3")], 403, "token"),
            ([("token", "secret"), ("experiment", "done#bbb"), ("action", "max-trials"), ("value", "9")], 409, "not running"),
            ([("token", "secret"), ("experiment", "nothing"), ("action", "kill"), ("trial", "1")], 404, "no experiment 'nothing'"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "kill"), ("trial", "1")], 409, "trial 1 is SUCCEEDED, not running"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "kill"), ("trial", "99")], 400, "tune#aaa has no trial 99"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "rerun"), ("trial", "3")], 409, "only failed and killed trials run again"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "max-trials"), ("value", "3")], 409, "4 trials were already proposed"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "max-trials"), ("value", "lots")], 400, "'lots' is not a whole number"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "max-trials"), ("value", "99999999999")], 400, "above the limit"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "delete")], 400, "unknown action 'delete'"),
            ([("token", "secret"), ("experiment", "tune#aaa"), ("action", "add"), ("parameters", "lr=0.1")], 400, "is not a JSON object"),
        ]
        for (fields, status, message) in cases {
            let response = try await Self.post(http, fields)
            #expect(response.status == status && response.body.contains(message), "\(fields): \(response.status) \(response.body)")
        }
        let database = try StateDatabase(path: Workspace.databasePath(root: fixture.root))
        #expect(try database.pendingControlRequests(experiment: "tune#aaa").isEmpty, "nothing refused was queued")
    }

    @Test("a kill from the page is queued, shown pending, and shows the run's answer; a form comes back to its page")
    func queuedAndAnswered() async throws {
        let fixture = try DashboardFixture()
        try Self.running(fixture)
        let control = try ControlChannel(root: fixture.root, token: "secret")
        let (server, http) = try await fixture.serve(control: control)
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune%23aaa").body
        #expect(page.contains("name=\"token\" value=\"secret\""))
        #expect(page.components(separatedBy: "data-testid=\"kill\"").count - 1 == 2, "the running and the waiting trial")
        #expect(page.contains("data-testid=\"rerun-failed\"") && page.contains("data-testid=\"max-trials\""))

        let kill = try await Self.post(http, [("token", "secret"), ("experiment", "tune#aaa"), ("action", "kill"), ("trial", "3")])
        #expect(kill.status == 202 && kill.body.contains("\"request\":\"kill trial 3\""))
        let back = try await Self.post(http, [("token", "secret"), ("experiment", "tune#aaa"), ("action", "max-trials"), ("value", "12"),
                                              ("return", "/experiment?name=tune%23aaa")], json: false)
        #expect(back.status == 303 && back.headers["location"] == "/experiment?name=tune%23aaa")
        let offsite = try await Self.post(http, [("token", "secret"), ("experiment", "tune#aaa"), ("action", "rerun-failed"),
                                                 ("return", "//elsewhere.example/")], json: false)
        #expect(offsite.status == 303 && offsite.headers["location"] == "/experiment?name=tune%23aaa", "only this dashboard's pages")

        let pending = try await http.get("/experiment?name=tune%23aaa").body
        #expect(pending.components(separatedBy: "data-state=\"pending\"").count - 1 == 3)

        // The run answers, through the queue it polls.
        let queue = WorkspaceControlQueue(database: try StateDatabase(path: Workspace.databasePath(root: fixture.root)))
        let requests = try queue.pendingRequests(experiment: "tune#aaa")
        #expect(requests.map(\.action) == [.kill(trials: [3]), .setMaxTrials(12), .rerun(trials: [2])])
        try queue.answer(requests[0].id, .applied("killing trial 3"))
        try queue.answer(requests[1].id, .applied("max_trials 40 → 12"))
        try queue.answer(requests[2].id, .refused("no"))
        #expect(await eventuallyAsync {
            let body = (try? await http.get("/experiment?name=tune%23aaa").body) ?? ""
            return body.contains("killing trial 3") && body.contains("data-testid=\"max-trials-shown\">12<")
        })
    }

    @Test("a trial's page offers kill while it runs and a rerun once it failed")
    func trialButtons() async throws {
        let fixture = try DashboardFixture()
        try Self.running(fixture)
        let (server, http) = try await fixture.serve(control: try ControlChannel(root: fixture.root, token: "t"))
        defer { Task { await server.stop() } }
        #expect(try await http.get("/trial?experiment=tune%23aaa&number=3").body.contains("data-testid=\"kill\""))
        let failed = try await http.get("/trial?experiment=tune%23aaa&number=2").body
        #expect(failed.contains("data-testid=\"rerun\"") && failed.contains("name=\"action\" value=\"rerun\""))
        let succeeded = try await http.get("/trial?experiment=tune%23aaa&number=1").body
        #expect(!succeeded.contains("data-testid=\"kill\"") && !succeeded.contains("data-testid=\"rerun\""))
        #expect(succeeded.contains("data-testid=\"add-parameters\">{}</textarea>"), "the other-parameters form, prefilled")
        let add = try await Self.post(http, [("token", "t"), ("experiment", "tune#aaa"), ("action", "add"), ("parameters", #"{"lr": 0.2}"#)])
        #expect(add.status == 202 && add.body.contains("add a trial with {"))
    }
}
