import FlyingFox
import FlyingSocks
import Foundation
import Pipeline
import Stages
import SystemIO
import Tuner

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

    func experimentView(_ name: String) throws -> ExperimentView {
        let names = try reader.experiments().map(\.name)
        // A stage's name stands for its latest experiment, as in `labmake trials`.
        guard let resolved = names.contains(name) ? name : names.first(where: { $0.hasPrefix(name + "#") }) else {
            throw Missing(message: "no experiment '\(name)' in this workspace")
        }
        return ExperimentView(name: resolved, trials: try reader.trials(experiment: resolved), stage: feed.pipeline?.stage(ofExperiment: resolved))
    }

    func page(_ title: String, fragment: Bool, _ body: String, status: HTTPStatusCode = .ok) -> HTTPResponse {
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

    func text(_ message: String, status: HTTPStatusCode) -> HTTPResponse {
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
