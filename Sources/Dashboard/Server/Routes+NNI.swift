import FlyingFox
import Foundation
import Pipeline

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
}
