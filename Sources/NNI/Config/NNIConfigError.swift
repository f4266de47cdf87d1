/// One problem with an NNI config file: where it is, what is wrong, and a suggestion.
public struct NNIConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// "did you mean 'trialCommand'?", when there is a nearest valid key.
    public var hint: String?

    public init(file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    /// `file:line:col: error: message (hint)`.
    public var description: String { "\(file):\(line):\(column): error: \(message)" + (hint.map { " (\($0))" } ?? "") }
}

/// Every problem found in an NNI config file; nothing runs while there is one.
public struct NNIConfigError: Error, Sendable, CustomStringConvertible {
    public var problems: [NNIConfigProblem]
    /// The file's text, to quote the offending lines.
    public var source: String

    public init(_ problems: [NNIConfigProblem], source: String) {
        self.problems = problems
        self.source = source
    }

    /// Each problem, with the line it points at and a caret under the column.
    public var description: String {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        return problems.map { problem in
            var text = problem.description
            if problem.line >= 1, problem.line <= lines.count {
                text += "\n    " + lines[problem.line - 1] + "\n    " + String(repeating: " ", count: max(0, problem.column - 1)) + "^"
            }
            return text
        }.joined(separator: "\n")
    }
}
