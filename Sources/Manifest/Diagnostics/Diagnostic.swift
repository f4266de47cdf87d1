import Pipeline

/// One problem with a pipeline file: where it is, what is wrong, and what was expected.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// Where in the file; nil for problems with the command line (`--set`).
    public var location: SourceLocation?
    /// What is wrong and what was expected, in one sentence.
    public var message: String
    /// A suggestion ("did you mean 'stages'?"), if there is one.
    public var hint: String?

    public init(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        self.location = location
        self.message = message
        self.hint = hint
    }

    /// `file:line:col: error: message (hint)`.
    public var description: String {
        var text = location.map { "\($0): error: " } ?? "error: "
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Every problem found in a pipeline file; nothing runs while there is one.
public struct ManifestError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    /// The file's text, to quote the offending lines.
    public var source: String?

    public init(_ diagnostics: [Diagnostic], source: String? = nil) {
        self.diagnostics = diagnostics
        self.source = source
    }

    /// Each diagnostic, with the line it points at and a caret under the column.
    public var description: String {
        let lines = source.map { $0.split(separator: "\n", omittingEmptySubsequences: false) }
        return diagnostics.map { diagnostic in
            var text = diagnostic.description
            if let location = diagnostic.location, let lines, location.line >= 1, location.line <= lines.count {
                let line = lines[location.line - 1]
                text += "\n    " + line + "\n    " + String(repeating: " ", count: max(0, location.column - 1)) + "^"
            }
            return text
        }.joined(separator: "\n")
    }
}
