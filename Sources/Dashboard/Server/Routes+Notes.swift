import FlyingFox
import Foundation

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
