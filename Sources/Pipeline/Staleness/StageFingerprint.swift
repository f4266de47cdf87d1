import Crypto

/// What a stage's key is computed from: its definition, the content of its dependencies and the
/// content of the upstream outputs it reads.
///
/// The definition is canonical text, one `FIELD<TAB>VALUE` line per field (`command`, `deps`, `kind`, `outs`,
/// `param:NAME`, `version`, `with:KEY`), values in canonical JSON: the same stage always gives the same
/// bytes, and two definitions can be compared field by field to say what changed.
public struct StageFingerprint: Sendable, Hashable {
    public var definition: String
    public var deps: ContentMap
    public var inputs: ContentMap

    public init(definition: String, deps: ContentMap, inputs: ContentMap) {
        self.definition = definition
        self.deps = deps
        self.inputs = inputs
    }

    /// The stage key: SHA-256 of the canonical record.
    public var key: String {
        var hasher = SHA256()
        for part in ["labmake-stage-v1\n", definition, "\n", deps.encoded, "\n", inputs.encoded] {
            var part = part
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return SHA256Hex.hex(hasher.finalize())
    }

    /// The canonical definition of a stage whose kind has implementation version `version`.
    public static func definition(of stage: StageDefinition, version: String) -> String {
        var fields: [(String, String)] = [
            ("kind", ConfigValue.string(stage.kind).canonicalJSON),
            ("version", ConfigValue.string(version).canonicalJSON),
            ("outs", ConfigValue.array(stage.outs.map { .string(PathRules.normalized($0)) }).canonicalJSON),
            ("deps", ConfigValue.array(stage.deps.map { .string(PathRules.normalized($0)) }).canonicalJSON),
        ]
        if let command = stage.command { fields.append(("command", ConfigValue.string(command).canonicalJSON)) }
        for (name, value) in stage.params { fields.append(("param:" + name, value.canonicalJSON)) }
        for (key, value) in stage.with { fields.append(("with:" + key, value.canonicalJSON)) }
        fields.sort { $0.0 < $1.0 }
        var text = ""
        for (field, value) in fields {
            text += field
            text += "\t"
            text += value
            text += "\n"
        }
        return text
    }

    /// Parses a canonical definition into its fields.
    static func fields(of definition: String) -> [(String, String)] {
        definition.split(separator: "\n").compactMap { line in
            guard let tab = line.firstIndex(of: "\t") else { return nil }
            return (String(line[..<tab]), String(line[tab...].dropFirst()))
        }
    }
}
