import FlyingFox
import Foundation
import Tuner

extension Routes {
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
