import Foundation
import Pipeline
import SystemIO

/// The lab's notes: the Markdown file a report stage names (`with: {notes: notes.md}`), which the report
/// renders in its notes section and depends on, so that a saved note makes the report stale by the
/// pipeline's own rules. The dashboard edits it with `--control`; saving checks that nobody changed it
/// since the page showed it.
struct NotesFile {
    /// The report stage that names the file.
    let stage: String
    /// As the pipeline file gives it, relative to the workspace.
    let name: String
    let path: String

    /// The first report stage's notes file, or that of the stage named `stage`.
    static func of(_ pipeline: PipelineState?, root: String, stage: String? = nil) -> NotesFile? {
        for candidate in pipeline?.stages ?? [] where candidate.kind == "report" && (stage == nil || candidate.name == stage) {
            guard case .object(let fields)? = candidate.definition, case .object(let with)? = fields["with"],
                  case .string(let name)? = with["notes"] else { continue }
            return NotesFile(stage: candidate.name, name: name, path: name.hasPrefix("/") ? name : root + "/" + name)
        }
        return nil
    }

    /// The notes now; empty when the file does not exist yet.
    func text() -> String {
        (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }

    /// What a page that shows `text` sends back, to learn on saving whether the file changed since (FNV-1a, in hex).
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// Why a save did not happen.
    struct Conflict: Error {
        /// The notes as they are now.
        var current: String
    }

    /// Replaces the notes with `text`, unless they changed since the page that sends it read them (`base`).
    func replace(with text: String, base: String) throws {
        let current = self.text()
        guard Self.fingerprint(current) == base else { throw Conflict(current: current) }
        try write(text)
    }

    /// Adds a line `- **subject**: note` at the end.
    func append(_ note: String, subject: String) throws {
        var text = self.text()
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        let line = note.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
        try write(text + "- **\(subject)**: \(line)\n")
    }

    /// Writes the whole file at once: a reader (the report stage) sees the old text or the new, never half.
    private func write(_ text: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw FileSystemError(path: path, reason: "cannot save the notes: \(reason)")
        }
    }
}
