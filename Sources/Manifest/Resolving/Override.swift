import Pipeline

/// A `--set` on the command line: `NAME=VALUE` sets a pipeline parameter for every stage,
/// `STAGE.KEY=VALUE` one option of one stage's `with:`. Values are read as YAML scalars.
public struct Override: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        case parameter(String)
        case stageOption(stage: String, key: String)
    }

    public var target: Target
    public var value: ConfigValue
    /// The argument as given, for messages.
    public var text: String

    /// Parses `NAME=VALUE` or `STAGE.KEY=VALUE`.
    public init(parsing text: String) throws(OverrideError) {
        guard let equals = text.firstIndex(of: "=") else { throw OverrideError(text: text, reason: "expected NAME=VALUE or STAGE.KEY=VALUE") }
        let name = String(text[..<equals])
        let rawValue = String(text[equals...].dropFirst())
        guard !name.isEmpty else { throw OverrideError(text: text, reason: "the name before '=' is empty") }
        if let dot = name.lastIndex(of: ".") {
            let stage = String(name[..<dot]), key = String(name[dot...].dropFirst())
            guard !stage.isEmpty, !key.isEmpty else { throw OverrideError(text: text, reason: "expected STAGE.KEY=VALUE") }
            target = .stageOption(stage: stage, key: key)
        } else {
            target = .parameter(name)
        }
        value = ScalarTyping.value(ofPlain: rawValue)
        if case .null = value, rawValue.isEmpty { value = .string("") }
        self.text = text
    }
}

/// A `--set` argument that is not `NAME=VALUE`.
public struct OverrideError: Error, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid --set '\(text)': \(reason)" }
}
