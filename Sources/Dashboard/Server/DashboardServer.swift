import FlyingFox
import FlyingSocks
import Foundation
import Pipeline
import Stages
import SystemIO
import Tuner

/// `labmake serve`: the dashboard's HTTP server. Pages are HTML with server-drawn SVG charts; `/events`
/// pushes a change to every open page (see ``ChangeFeed``); nothing it serves comes from elsewhere, and
/// it only reads the workspace — but for the requests of `--control` (``ControlChannel``), which it queues
/// for the run to answer.
public final class DashboardServer: Sendable {
    let reader: WorkspaceReader
    let feed: ChangeFeed
    private let server: HTTPServer

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// - Parameters:
    ///   - host: the IPv4 address to listen on (`127.0.0.1`: this machine only; `0.0.0.0`: every interface).
    ///   - port: 0 for any free port.
    ///   - control: the channel of `--control` requests; nil: the dashboard changes nothing.
    ///   - urlPrefix: the path a reverse proxy serves the dashboard under (`/lab`), or empty.
    public init(reader: WorkspaceReader, pipeline: PipelineStateSource?, host: String, port: UInt16, control: ControlChannel? = nil,
                urlPrefix: String = "") throws {
        self.reader = reader
        feed = ChangeFeed(reader: reader, pipelineSource: pipeline)
        let address: sockaddr_in
        do { address = try .inet(ip4: host, port: port) } catch {
            throw StartError(description: "'\(host)' is not an IPv4 address (use 127.0.0.1, or 0.0.0.0 for every interface)")
        }
        let routes = Routes(reader: reader, feed: feed, control: control, prefix: urlPrefix)
        server = HTTPServer(address: address, timeout: 60, logger: .disabled, handler: routes)
    }

    /// Starts listening and returns the port (the chosen one when asked for 0). Serves until ``stop()``.
    public func start() async throws -> UInt16 {
        feed.run()
        // Decode every experiment's trials now, latest first, so that the first page opened finds them ready.
        let reader = self.reader
        Thread {
            for experiment in (try? reader.experiments()) ?? [] { _ = try? reader.trials(experiment: experiment.name) }
        }.start()
        let server = self.server
        let failure = Locked<(any Error)?>(nil)
        Task {
            do { try await server.run() } catch { failure.withLock { $0 = error } }
        }
        // The server's own wait would sit out its timeout when binding fails (the port is taken): watch for either.
        let deadline = Date().addingTimeInterval(10)
        while await !server.isListening {
            if let error = failure.withLock({ $0 }) { throw StartError(description: "could not listen: \(error)") }
            guard Date() < deadline else { throw StartError(description: "the server did not start listening within 10 s") }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw StartError(description: "the server is not listening")
        }
        return port
    }

    public func stop() async {
        feed.stop()
        await server.stop(timeout: 1)
    }
}

/// Request → page.
struct Routes: HTTPHandler {
    let reader: WorkspaceReader
    let feed: ChangeFeed
    let control: ControlChannel?
    /// The path the dashboard is served under, or empty: requests carry it, and every link and redirect gets it.
    let prefix: String

    func handleRequest(_ request: HTTPRequest) async throws -> HTTPResponse {
        var request = request
        if !prefix.isEmpty {
            // The raw target, not the standardized path: that one has lost a trailing slash.
            let raw = request.target.path(percentEncoded: true)
            guard raw == prefix || raw.hasPrefix(prefix + "/") else {
                return text("this dashboard is served under \(prefix)/", status: .notFound)
            }
            if raw == prefix { return HTTPResponse(statusCode: .movedPermanently, headers: [.location: prefix + "/"], body: Data()) }
            let inside = String(raw.dropFirst(prefix.count))
            request.path = inside.count > 1 && inside.hasSuffix("/") ? String(inside.dropLast()) : inside
            request.path = request.path.removingPercentEncoding ?? request.path
            request.target = .init(path: inside, query: request.target.query(percentEncoded: true))
        }
        return try await route(request)
    }

    private func route(_ request: HTTPRequest) async throws -> HTTPResponse {
        if request.method == .POST && request.path == "/control" { return await controlRequest(request) }
        if request.method == .POST && request.path == "/notes" { return await notesRequest(request) }
        if request.path.hasPrefix("/api/v1/nni/") { return nni(request) }
        guard request.method == .GET || request.method == .HEAD else {
            return text("only GET: the dashboard changes nothing" + (control == nil ? "" : " but through POST /control"), status: .methodNotAllowed)
        }
        let query = Self.query(request.target.query(percentEncoded: true))
        let fragment = request.headers[HTTPHeader("X-Fragment")] == "live"
        do {
            switch request.path {
            case "/": return page("overview", fragment: fragment, try OverviewPage(reader: reader, pipeline: feed.pipeline).body())
            case "/experiment": return try experiment(query, fragment: fragment)
            case "/trial": return try trial(query, fragment: fragment)
            case "/compare": return try compare(query, fragment: fragment)
            case "/stage": return try stage(query, fragment: fragment)
            case "/export.json", "/export.csv": return try export(query, csv: request.path.hasSuffix(".csv"))
            case "/events":
                return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                                    body: HTTPBodySequence(from: EventStream(versions: feed.subscribe())))
            case "/assets/dashboard.css": return asset(Assets.css, type: "text/css; charset=utf-8")
            case "/assets/dashboard.js": return asset(Assets.javascript, type: "text/javascript; charset=utf-8")
            case "/favicon.ico": return HTTPResponse(statusCode: .noContent)
            case let path where path == "/report" || path.hasPrefix("/report/"):
                // The request's own path: the server's standardized one has lost the trailing slash the report's relative links need.
                return try report(request.target.path(percentEncoded: true), query, fragment: fragment)
            default: return notFound("no page \(request.path)", fragment: fragment)
            }
        } catch let missing as Missing {
            return notFound(missing.message, fragment: fragment)
        } catch {
            return page("error", fragment: fragment, "<h1>Could not read the workspace</h1><p class=\"note failed\">\(HTML.escape("\(error)"))</p>",
                        status: .internalServerError)
        }
    }

    struct Missing: Error { var message: String }

    private func experiment(_ query: [String: [String]], fragment: Bool) throws -> HTTPResponse {
        let view = try experimentView(query["name"]?.first ?? "")
        var q = ExperimentPage.Query(name: view.name)
        q.filter = query["filter"]?.first ?? ""
        q.sort = query["sort"]?.first ?? "trial"
        q.descending = query["desc"]?.first == "1"
        q.page = query["page"]?.first.flatMap { Int($0) } ?? 1
        q.key = query["key"]?.first.flatMap { $0.isEmpty || $0 == "default" ? nil : $0 }
        q.logY = query["logy"]?.first == "1"
        q.yRange = query["y"]?.first ?? ""
        q.contourX = query["cx"]?.first ?? ""
        q.contourY = query["cy"]?.first ?? ""
        q.group = query["group"]?.first ?? ""
        if let listed = query["axes"]?.first, !listed.isEmpty { q.axes = listed.split(separator: ",").map(String.init) }
        if let ticked = query["axis"] { q.axes = ticked }
        q.top = query["top"]?.first.flatMap { Int($0) } ?? 100
        if query["cols"] != nil || query["col"] != nil {
            let listed = (query["cols"] ?? []).flatMap { $0.split(separator: ",").map(String.init) }.filter { $0 != "-" }
            q.columns = listed + (query["col"] ?? [])
        }
        var experimentPage = ExperimentPage(view: view, query: q, now: Date())
        experimentPage.control = try controlPanel(view, returnPath: q.link { _ in })
        return page(view.name, fragment: fragment, try experimentPage.body())
    }

    private func trial(_ query: [String: [String]], fragment: Bool) throws -> HTTPResponse {
        let view = try experimentView(query["experiment"]?.first ?? "")
        guard let number = query["number"]?.first.flatMap({ Int($0) }), let trial = view.trials.first(where: { $0.number == number }) else {
            throw Missing(message: "\(view.name) has no trial \(query["number"]?.first ?? "(no number given)")")
        }
        let source = trial.reused ? try reader.reuseSource(of: trial, experiment: view.name) : nil
        var trialPage = TrialPage(reader: reader, view: view, trial: trial, source: source)
        trialPage.control = try controlPanel(view, returnPath: HTML.trialLink(experiment: view.name, number: number))
        return page("trial \(number)", fragment: fragment, trialPage.body())
    }

    /// `/report/STAGE/` renders the stage's report; `/report/STAGE/NAME.svg` is one of its files; `/report` goes to the first report stage.
    private func report(_ path: String, _ query: [String: [String]], fragment: Bool) throws -> HTTPResponse {
        guard let pipeline = feed.pipeline else { throw Missing(message: "no pipeline file: name one (labmake serve FILE) to see its report") }
        let reports = pipeline.stages.filter { $0.kind == "report" }
        let parts = path.split(separator: "/").dropFirst().map { String($0).removingPercentEncoding ?? String($0) }
        guard let name = parts.first ?? reports.first?.name else { throw Missing(message: "the pipeline has no report stage") }
        guard let stage = reports.first(where: { $0.name == name }) else {
            throw Missing(message: "no report stage '\(name)'" + (reports.isEmpty ? "" : " (report stages: \(reports.map(\.name).joined(separator: ", ")))"))
        }
        if parts.count == 2, ReportPage.servable(parts[1]) {
            let file = ReportPage.folder(root: reader.root, stage: stage) + "/" + parts[1]
            guard let data = FileManager.default.contents(atPath: file) else { throw Missing(message: "\(stage.name) has no file \(parts[1])") }
            let type = parts[1].hasSuffix(".svg") ? "image/svg+xml" : parts[1].hasSuffix(".png") ? "image/png" : "text/markdown; charset=utf-8"
            return HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: data)
        }
        guard parts.count == 1, path.hasSuffix("/") else {
            return HTTPResponse(statusCode: .movedPermanently, headers: [.location: prefix + "/report/\(stage.name)/"], body: Data())
        }
        var reportPage = ReportPage(root: reader.root, pipeline: pipeline, stage: stage, file: query["file"]?.first)
        reportPage.notes = NotesFile.of(pipeline, root: reader.root, stage: stage.name)
        reportPage.token = control?.token
        return page("report", fragment: fragment, reportPage.body())
    }

    private func stage(_ query: [String: [String]], fragment: Bool) throws -> HTTPResponse {
        let name = query["name"]?.first ?? ""
        guard let stage = feed.pipeline?.stages.first(where: { $0.name == name }) else {
            let names = feed.pipeline?.stages.map(\.name) ?? []
            throw Missing(message: "no stage '\(name)'" + (names.isEmpty ? "" : " (stages: \(names.joined(separator: ", ")))"))
        }
        return page(stage.name, fragment: fragment, StagePage(reader: reader, stage: stage, record: try reader.stageRecords()[name]).body())
    }

    private func compare(_ query: [String: [String]], fragment: Bool) throws -> HTTPResponse {
        var views: [String: ExperimentView] = [:]
        func view(_ name: String) throws -> ExperimentView {
            if let known = views[name] { return known }
            let loaded = try experimentView(name)
            views[name] = loaded
            views[loaded.name] = loaded
            return loaded
        }
        var chosen: [ComparePage.Chosen] = []
        for ref in (query["t"] ?? []).flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let colon = ref.lastIndex(of: ":"), let number = Int(ref[ref.index(after: colon)...]) else {
                throw Missing(message: "'\(ref)' names no trial: write EXPERIMENT:NUMBER, as tune:3")
            }
            let experiment = try view(String(ref[..<colon]))
            guard let trial = experiment.trials.first(where: { $0.number == number }) else {
                throw Missing(message: "\(experiment.name) has no trial \(number)")
            }
            chosen.append(.init(experiment: experiment, trial: trial))
        }
        let experiments = try (query["e"] ?? []).map(view)
        let page = ComparePage(trials: chosen, experiments: experiments, showAll: query["all"]?.first == "1",
                               reference: query["ref"]?.first.flatMap { Int($0) } ?? 0)
        return self.page("compare", fragment: fragment, page.body())
    }

    /// The filtered trials, with the bytes of `labmake trials NAME --json` (or `--csv`).
    private func export(_ query: [String: [String]], csv: Bool) throws -> HTTPResponse {
        let view = try experimentView(query["name"]?.first ?? "")
        let filter: TrialFilter
        do { filter = try TrialFilter(query["filter"]?.first ?? "", parameters: view.parameters) } catch {
            return text(error.description, status: .badRequest)
        }
        let trials = view.trials(matching: filter)
        let body = (csv ? TrialExport.csv(trials) : TrialExport.json(trials)) + "\n"
        let file = view.name.replacingOccurrences(of: "#", with: "-") + (csv ? ".csv" : ".json")
        return HTTPResponse(statusCode: .ok, headers: [.contentType: csv ? "text/csv; charset=utf-8" : "application/json",
                                                       .contentDisposition: "attachment; filename=\"\(file)\""],
                            body: Data(body.utf8))
    }

    private func experimentView(_ name: String) throws -> ExperimentView {
        let names = try reader.experiments().map(\.name)
        // A stage's name stands for its latest experiment, as in `labmake trials`.
        guard let resolved = names.contains(name) ? name : names.first(where: { $0.hasPrefix(name + "#") }) else {
            throw Missing(message: "no experiment '\(name)' in this workspace")
        }
        return ExperimentView(name: resolved, trials: try reader.trials(experiment: resolved), stage: feed.pipeline?.stage(ofExperiment: resolved))
    }

    private func page(_ title: String, fragment: Bool, _ body: String, status: HTTPStatusCode = .ok) -> HTTPResponse {
        var html = fragment ? body : HTML.document(title: title, workspace: reader.root, version: feed.version, body: body, prefix: prefix)
        if !prefix.isEmpty { html = HTML.prefixingLinks(html, with: prefix) }
        return HTTPResponse(statusCode: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"], body: Data(html.utf8))
    }

    private func notFound(_ message: String, fragment: Bool) -> HTTPResponse {
        page("not found", fragment: fragment, "<h1>Not found</h1><p class=\"note failed\" data-testid=\"not-found\">\(HTML.escape(message))</p>"
             + "<p><a href=\"/\">the workspace</a></p>", status: .notFound)
    }

    private func asset(_ text: String, type: String) -> HTTPResponse {
        HTTPResponse(statusCode: .ok, headers: [.contentType: type, .cacheControl: "max-age=60"], body: Data(text.utf8))
    }

    private func text(_ message: String, status: HTTPStatusCode) -> HTTPResponse {
        HTTPResponse(statusCode: status, headers: [.contentType: "text/plain; charset=utf-8"], body: Data((message + "\n").utf8))
    }

    /// A query string's values by name, as a form sends them (`+` is a space).
    static func query(_ raw: String) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for pair in raw.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (s: Substring) in String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s) }
            result[decode(parts[0]), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
        return result
    }
}

extension Routes {
    /// `/api/v1/nni/…` (``NNIRestFacade``): JSON, read only.
    func nni(_ request: HTTPRequest) -> HTTPResponse {
        func json(_ object: Any, _ status: HTTPStatusCode = .ok) -> HTTPResponse {
            let body = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed, .sortedKeys])) ?? Data()
            return HTTPResponse(statusCode: status, headers: [.contentType: "application/json", .cacheControl: "no-store"], body: body)
        }
        guard request.method == .GET || request.method == .HEAD else {
            return json(["error": "labmake's NNI API is read only: kill trials and change max trials from the experiment's page (labmake serve --control)"],
                        .forbidden)
        }
        let query = Self.query(request.target.query(percentEncoded: true))
        let path = String(request.path.dropFirst("/api/v1/nni".count))
        do {
            let name = try query["experiment"]?.first ?? reader.experiments().first?.name
            guard let name else {
                return path == "/check-status" ? json(["status": "INITIALIZED", "errors": [String]()]) : json(["error": "no experiment in this workspace yet"], .notFound)
            }
            let facade = NNIRestFacade(view: try experimentView(name), logDirectory: Workspace.stateDirectoryPath(root: reader.root) + "/logs")
            switch facade.answer(path, query) {
            case .found(let answer): return json(answer)
            case .missing(let message): return json(["error": message], .notFound)
            }
        } catch let missing as Missing {
            return json(["error": missing.message], .notFound)
        } catch {
            return json(["error": "\(error)"], .internalServerError)
        }
    }

    /// The `--control` forms of `view`'s pages, coming back to `returnPath`; nil without `--control`.
    func controlPanel(_ view: ExperimentView, returnPath: String) throws -> ControlPanel? {
        guard let control else { return nil }
        var panel = ControlPanel(token: control.token, view: view, requests: try reader.controlRequests(experiment: view.name), returnPath: returnPath)
        panel.notes = NotesFile.of(feed.pipeline, root: reader.root)
        return panel
    }

    /// `POST /control`: queues a request for the run to answer, then goes back to the page that asked
    /// (`303`), or answers JSON (`{"id": N, "request": "kill trial 3"}`) to a client that accepts only it.
    func controlRequest(_ request: HTTPRequest) async -> HTTPResponse {
        let wantsJSON = request.headers[HTTPHeader("Accept")] == "application/json"
        func refuse(_ status: HTTPStatusCode, _ message: String) -> HTTPResponse {
            if wantsJSON {
                let body = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
                return HTTPResponse(statusCode: status, headers: [.contentType: "application/json"], body: body)
            }
            return page("refused", fragment: false, "<h1>Request refused</h1><p class=\"note failed\" data-testid=\"refused\">"
                        + HTML.escape(message) + "</p><p><a href=\"javascript:history.back()\">back</a> · <a href=\"/\">the workspace</a></p>",
                        status: status)
        }
        guard let control else {
            return refuse(.forbidden, "control actions are off: start labmake serve --control to kill trials, change max trials or rerun failed ones")
        }
        guard let body = try? await request.bodyData, body.count <= 64 * 1024 else { return refuse(.badRequest, "the request's body is missing or too large") }
        let fields = Self.query(String(decoding: body, as: UTF8.self))
        guard let token = fields["token"]?.first ?? request.headers[HTTPHeader("X-Labmake-Token")], Self.same(token, control.token) else {
            return refuse(.forbidden, "the request does not carry this dashboard's token: send it from the dashboard's own page")
        }
        do {
            let view = try experimentView(fields["experiment"]?.first ?? "")
            let action = try ControlChannel.action(fields, view: view)
            let id = try control.ask(action, experiment: view.name)
            if wantsJSON {
                let body = (try? JSONSerialization.data(withJSONObject: ["id": id, "request": action.summary] as [String: Any])) ?? Data()
                return HTTPResponse(statusCode: .accepted, headers: [.contentType: "application/json"], body: body)
            }
            let back = fields["return"]?.first.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil }
                ?? HTML.experimentLink(view.name)
            return HTTPResponse(statusCode: .seeOther, headers: [.location: prefix + back], body: Data())
        } catch let refusal as ControlChannel.Refusal {
            return refuse(refusal.status == 409 ? .conflict : .badRequest, refusal.message)
        } catch let missing as Missing {
            return refuse(.notFound, missing.message)
        } catch {
            return refuse(.internalServerError, "could not queue the request: \(error)")
        }
    }

    /// Compares two tokens in time that does not depend on where they differ.
    static func same(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension Routes {
    /// `POST /notes` (`--control` only, with the token): replaces the lab's notes (`text`, checked against
    /// `base`, the fingerprint of the text the page showed: a conflict keeps both texts on the page), or adds
    /// one line about `subject` (`note`); then back to the page that asked.
    func notesRequest(_ request: HTTPRequest) async -> HTTPResponse {
        func refuse(_ status: HTTPStatusCode, _ body: String) -> HTTPResponse {
            page("notes", fragment: false, body + "<p><a href=\"javascript:history.back()\">back</a> · <a href=\"/\">the workspace</a></p>", status: status)
        }
        guard let control else {
            return refuse(.forbidden, "<h1>Notes are read only</h1><p class=\"note failed\" data-testid=\"refused\">start labmake serve --control to edit them</p>")
        }
        guard let body = try? await request.bodyData, body.count <= 1 << 20 else {
            return refuse(.badRequest, "<h1>Not saved</h1><p class=\"note failed\" data-testid=\"refused\">the notes are missing or larger than 1 MB</p>")
        }
        let fields = Self.query(String(decoding: body, as: UTF8.self))
        guard let token = fields["token"]?.first, Self.same(token, control.token) else {
            return refuse(.forbidden, "<h1>Not saved</h1><p class=\"note failed\" data-testid=\"refused\">the request does not carry this dashboard's token</p>")
        }
        guard let notes = NotesFile.of(feed.pipeline, root: reader.root, stage: fields["stage"]?.first) else {
            return refuse(.notFound, "<h1>Not saved</h1><p class=\"note failed\" data-testid=\"refused\">no report stage names a notes file "
                          + "(<code>with: {notes: notes.md}</code>)</p>")
        }
        let back = fields["return"]?.first.flatMap { $0.hasPrefix("/") && !$0.hasPrefix("//") ? $0 : nil } ?? "/report/\(notes.stage)/"
        do {
            if let note = fields["note"]?.first {
                guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                    return refuse(.badRequest, "<h1>Not saved</h1><p class=\"note failed\" data-testid=\"refused\">the note is empty</p>")
                }
                let subject = (fields["subject"]?.first ?? "note").filter { !$0.isNewline && $0 != "*" }
                try notes.append(note, subject: String(subject.prefix(200)))
            } else {
                try notes.replace(with: fields["text"]?.first ?? "", base: fields["base"]?.first ?? "")
            }
        } catch let conflict as NotesFile.Conflict {
            return refuse(.conflict, "<h1>The notes changed since this page showed them</h1><p class=\"note failed\" data-testid=\"conflict\">"
                          + "Someone saved them in the meantime (another tab, or the file itself). Nothing was overwritten: here are both; "
                          + "merge them and save again from the report page.</p><h2>Now in \(HTML.escape(notes.name))</h2>"
                          + "<pre class=\"config\" data-testid=\"current\">\(HTML.escape(conflict.current))</pre><h2>Yours</h2>"
                          + "<pre class=\"config\" data-testid=\"yours\">\(HTML.escape(fields["text"]?.first ?? ""))</pre>")
        } catch {
            return refuse(.internalServerError, "<h1>Not saved</h1><p class=\"note failed\" data-testid=\"refused\">\(HTML.escape("\(error)"))</p>")
        }
        return HTTPResponse(statusCode: .seeOther, headers: [.location: prefix + back], body: Data())
    }
}
