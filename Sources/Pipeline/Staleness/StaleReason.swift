/// Why a stage must run: one fact, in the words `labmake status` prints.
///
/// Reasons come in a fixed order (see ``Scan``): the definition, then dependency contents, then
/// upstream outputs, then the stage's own outputs.
public enum StaleReason: Sendable, Hashable, CustomStringConvertible {
    /// No successful run of this stage is recorded.
    case neverRun
    /// `--force` was given.
    case forced
    /// A field of the definition changed: `kind`, `version`, `command`, `deps`, `outs`, `param:NAME`, `with:KEY`.
    /// Values are canonical JSON; nil when the field is new or gone.
    case definitionChanged(field: String, old: String?, new: String?)
    /// A file or directory the stage reads changed, appeared or disappeared.
    case dependencyChanged(path: String, missing: Bool)
    /// An output of an upstream stage that this stage reads changed.
    case inputChanged(path: String, stage: String)
    /// An upstream stage will run first (reported by `status`, where nothing runs).
    case upstreamStale(stage: String)
    /// An output is gone from the workspace.
    case outputMissing(path: String)
    /// An output differs from what the stage wrote (edited by hand).
    case outputModified(path: String)

    public var description: String {
        switch self {
        case .neverRun: return "never run"
        case .forced: return "forced"
        case .definitionChanged(let field, let old, let new):
            let (what, name) = StaleReason.describe(field)
            switch (old, new) {
            case (nil, let new?): return "\(what) \(name) added (\(new))"
            case (let old?, nil): return "\(what) \(name) removed (was \(old))"
            case (let old?, let new?) where field == "command" || old.count + new.count > 60:
                return "\(what)\(name.isEmpty ? "" : " " + name) changed"
            case (let old?, let new?): return "\(what)\(name.isEmpty ? "" : " " + name) changed \(old) → \(new)"
            default: return "\(what) \(name) changed"
            }
        case .dependencyChanged(let path, let missing):
            return missing ? "dep \(path) missing" : "dep \(path) changed"
        case .inputChanged(let path, let stage): return "input \(path) from stage \(stage) changed"
        case .upstreamStale(let stage): return "upstream stage \(stage) is stale"
        case .outputMissing(let path): return "output \(path) missing"
        case .outputModified(let path): return "output \(path) modified"
        }
    }

    /// A stable name for programs (`--json`): `never_run`, `forced`, `definition_changed`, …
    public var code: String {
        switch self {
        case .neverRun: "never_run"
        case .forced: "forced"
        case .definitionChanged: "definition_changed"
        case .dependencyChanged(_, let missing): missing ? "dependency_missing" : "dependency_changed"
        case .inputChanged: "input_changed"
        case .upstreamStale: "upstream_stale"
        case .outputMissing: "output_missing"
        case .outputModified: "output_modified"
        }
    }

    /// The reason's facts by name, for programs: `path`, `stage`, `field`, `old`, `new`.
    public var details: [String: String] {
        switch self {
        case .neverRun, .forced: [:]
        case .definitionChanged(let field, let old, let new):
            ["field": field].merging([("old", old), ("new", new)].compactMap { k, v in v.map { (k, $0) } }) { a, _ in a }
        case .dependencyChanged(let path, _), .outputMissing(let path), .outputModified(let path): ["path": path]
        case .inputChanged(let path, let stage): ["path": path, "stage": stage]
        case .upstreamStale(let stage): ["stage": stage]
        }
    }

    private static func describe(_ field: String) -> (String, String) {
        if field.hasPrefix("param:") { return ("param", String(field.dropFirst(6))) }
        if field.hasPrefix("with:") { return ("option", String(field.dropFirst(5))) }
        switch field {
        case "version": return ("implementation version", "")
        case "kind": return ("kind", "")
        case "outs": return ("declared outputs", "")
        case "deps": return ("declared dependencies", "")
        default: return (field, "")
        }
    }
}
