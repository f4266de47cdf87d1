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
    public var key: String { Self.digest(["labmake-stage-v1\n", definition, "\n", deps.encoded, "\n", inputs.encoded]) }

    /// SHA-256 of what the stage reads (dependencies and upstream inputs), without its definition.
    public var inputDigest: String { Self.inputDigest(deps: deps, inputs: inputs) }

    /// SHA-256 of what a stage reads, from a fingerprint's or a record's dependencies and inputs.
    public static func inputDigest(deps: ContentMap, inputs: ContentMap) -> String {
        digest(["labmake-inputs-v1\n", deps.encoded, "\n", inputs.encoded])
    }

    private static func digest(_ parts: [String]) -> String {
        var hasher = SHA256()
        for var part in parts {
            part.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        return SHA256Hex.hex(hasher.finalize())
    }

    /// The canonical definition of a stage whose kind has implementation version `version`: fields in
    /// sorted order (`command`, `deps`, `kind`, `outs`, `param:…`, `version`, `with:…`).
    public static func definition(of stage: StageDefinition, version: String) -> String {
        var text = ""
        text.reserveCapacity(128 + (stage.command?.utf8.count ?? 0))
        func field(_ name: String, _ write: (inout String) -> Void) {
            text += name
            text += "\t"
            write(&text)
            text += "\n"
        }
        func paths(_ list: [String]) -> (inout String) -> Void {
            { out in
                out += "["
                for (i, path) in list.enumerated() {
                    if i > 0 { out += "," }
                    ConfigValue.writeJSONString(PathRules.normalized(path), to: &out)
                }
                out += "]"
            }
        }
        if let command = stage.command { field("command") { ConfigValue.writeJSONString(command, to: &$0) } }
        field("deps", paths(stage.deps))
        field("kind") { ConfigValue.writeJSONString(stage.kind, to: &$0) }
        field("outs", paths(stage.outs))
        for name in stage.params.keys.sorted() { field("param:" + name) { stage.params[name]!.writeCanonicalJSON(to: &$0) } }
        field("version") { ConfigValue.writeJSONString(version, to: &$0) }
        for key in stage.with.keys.sorted() { field("with:" + key) { stage.with[key]!.writeCanonicalJSON(to: &$0) } }
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
