import Dashboard
import Foundation
import Pipeline
import Testing
import Tuner

/// The lab's notes in the dashboard: shown beside the report, edited under `--control` with a check that
/// nobody saved in between, and one-line notes added from experiment and trial pages.
@Suite("labmake serve: the lab's notes")
struct NotesTests {
    static func pipeline(notes: Bool) -> PipelineState {
        let with: ConfigValue = notes ? .object(["templates": .array([.string("r.md")]), "notes": .string("lab/notes.md")])
            : .object(["templates": .array([.string("r.md")])])
        return PipelineState(file: "labmake.yaml", stages: [
            .init(name: "tune", kind: "tune", status: "up-to-date", maximize: true),
            .init(name: "report", kind: "report", status: "up-to-date", upstream: [0], outs: ["report"],
                  definition: .object(["uses": .string("report"), "with": with])),
        ])
    }

    static func post(_ http: HTTPProbe, _ fields: [(String, String)]) async throws -> HTTPProbe.Response {
        try await http.request("POST", "/notes", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: DashboardControlTests.form(fields))
    }

    static func base(_ page: String) -> String? {
        page.components(separatedBy: "name=\"base\" value=\"").dropFirst().first.map { String($0.prefix { $0 != "\"" }) }
    }

    @Test("saved from the report page; a save over a newer text is refused with both texts; a note on a trial is added as a line")
    func edit() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.5), fixture.trial(2, .running)], experiment: "tune#aaa")
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline(notes: true) }, control: try ControlChannel(root: fixture.root, token: "t"))
        defer { Task { await server.stop() } }
        let file = fixture.root + "/lab/notes.md"
        let empty = try await http.get("/report/report/").body
        #expect(empty.contains("data-testid=\"notes-editor\"></textarea>"))
        let first = try #require(Self.base(empty))
        let saved = try await Self.post(http, [("token", "t"), ("stage", "report"), ("base", first), ("text", "Warm-up helps.\n")])
        #expect(saved.status == 303 && saved.headers["location"] == "/report/report/")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Warm-up helps.\n")
        let shown = try await http.get("/report/report/").body
        #expect(shown.contains("<div data-testid=\"notes-text\"><p>Warm-up helps.</p>"))
        // A second tab still holds the first page's fingerprint: its save is refused, and nothing is lost.
        let stale = try await Self.post(http, [("token", "t"), ("stage", "report"), ("base", first), ("text", "Something else")])
        #expect(stale.status == 409 && stale.body.contains("data-testid=\"current\">Warm-up helps.\n</pre>")
                && stale.body.contains("data-testid=\"yours\">Something else</pre>"))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Warm-up helps.\n")

        let trialPage = try await http.get("/trial?experiment=tune%23aaa&number=1").body
        #expect(trialPage.contains("name=\"subject\" value=\"tune#aaa trial 1\""))
        #expect(try await http.get("/experiment?name=tune%23aaa").body.contains("data-testid=\"note-form\""))
        let added = try await Self.post(http, [("token", "t"), ("stage", "report"), ("subject", "tune#aaa trial 1"), ("note", "diverged\nat epoch 3"),
                                               ("return", "/trial?experiment=tune%23aaa&number=1")])
        #expect(added.status == 303 && added.headers["location"] == "/trial?experiment=tune%23aaa&number=1")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "Warm-up helps.\n- **tune#aaa trial 1**: diverged at epoch 3\n")
        #expect(try await Self.post(http, [("token", "t"), ("stage", "report"), ("subject", "x"), ("note", "  ")]).status == 400)
        #expect(try await Self.post(http, [("token", "wrong"), ("stage", "report"), ("base", first), ("text", "x")]).status == 403)
    }

    @Test("without --control the notes are shown, not edited; without a notes file the page says how to keep one")
    func readOnly() async throws {
        let fixture = try DashboardFixture()
        try FileManager.default.createDirectory(atPath: fixture.root + "/lab", withIntermediateDirectories: true)
        try "Seeds 1–3 agree.".write(toFile: fixture.root + "/lab/notes.md", atomically: true, encoding: .utf8)
        let (server, http) = try await fixture.serve(pipeline: { Self.pipeline(notes: true) })
        defer { Task { await server.stop() } }
        let page = try await http.get("/report/report/").body
        #expect(page.contains("Seeds 1–3 agree.") && !page.contains("notes-editor"))
        #expect(try await Self.post(http, [("token", "t"), ("stage", "report"), ("text", "x")]).status == 403)

        let other = try DashboardFixture()
        let (bare, bareHTTP) = try await other.serve(pipeline: { Self.pipeline(notes: false) }, control: try ControlChannel(root: other.root))
        defer { Task { await bare.stop() } }
        #expect(try await bareHTTP.get("/report/report/").body.contains("data-testid=\"no-notes\""))
    }
}
