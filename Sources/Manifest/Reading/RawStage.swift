import Pipeline
import Yams

/// A stage as written in the file, before parameters are bound and its matrix expanded; keeps the
/// nodes so that later checks can point at the exact line and column.
struct RawStage {
    static let keys = ["cmd", "uses", "with", "deps", "outs", "params", "needs", "matrix", "desc", "executor", "slurm"]

    enum Params {
        /// `params: [lr, epochs]`: read these pipeline parameters.
        case names([(String, Node)])
        /// `params: {lr: 0.05}`: the stage's own values.
        case values([(String, ConfigValue, Node)])
    }

    var name: String
    var nameNode: Node
    var command: (String, Node)?
    var uses: (String, Node)?
    var with: [(Entry, ConfigValue)]?
    var withNode: Node?
    var deps: [(String, Node)] = []
    var outs: [(String, Node)] = []
    var needs: [(String, Node)] = []
    var params: Params = .names([])
    var matrix: [(String, [ConfigValue], Node)] = []
    /// The stage's own `executor:` and `slurm:`; nil when it has neither.
    var executor: ExecutorSetting?

    /// Reads one entry of `stages:`; nil when it is not even a mapping.
    init?(_ entry: Entry, reader: NodeReader) {
        name = entry.key
        nameNode = entry.keyNode
        let what = "stage '\(name)'"
        guard let fields = reader.mapping(entry.value, what) else { return nil }
        reader.checkKeys(fields, allowed: RawStage.keys, in: what)
        for field in fields {
            let node = field.value
            switch field.key {
            case "cmd": command = reader.string(node, "cmd of \(what)").map { ($0, node) }
            case "uses": uses = reader.string(node, "uses of \(what)").map { ($0, node) }
            case "desc": _ = reader.string(node, "desc of \(what)")
            case "deps": deps = reader.stringList(node, "deps of \(what)") ?? []
            case "outs": outs = reader.stringList(node, "outs of \(what)") ?? []
            case "needs": needs = reader.stringList(node, "needs of \(what)", single: true) ?? []
            case "with":
                withNode = field.keyNode
                with = reader.mapping(node, "with of \(what)")?.compactMap { e in reader.value(e.value).map { (e, $0) } }
            case "params": params = RawStage.readParams(node, what: what, reader: reader)
            case "matrix": matrix = RawStage.readMatrix(node, what: what, reader: reader)
            case "executor":
                let kind = ExecutorReader(reader: reader).kind(node, "executor of \(what)")
                executor = ExecutorSetting(kind: kind, slurm: executor?.slurm ?? [:])
            case "slurm":
                executor = ExecutorSetting(kind: executor?.kind, slurm: ExecutorReader(reader: reader).slurm(node, "slurm of \(what)"))
            default: break
            }
        }
    }

    private static func readParams(_ node: Node, what: String, reader: NodeReader) -> Params {
        if case .mapping = node {
            let entries = reader.mapping(node, "params of \(what)") ?? []
            return .values(entries.compactMap { e in
                checkParameterName(e.key, e.keyNode, reader: reader)
                return reader.value(e.value).map { (e.key, $0, e.keyNode) }
            })
        }
        guard case .sequence = node else {
            reader.error("params of \(what) must be a list of parameter names or a mapping of values, found \(reader.describe(node))", at: node)
            return .names([])
        }
        return .names(reader.stringList(node, "params of \(what)") ?? [])
    }

    private static func readMatrix(_ node: Node, what: String, reader: NodeReader) -> [(String, [ConfigValue], Node)] {
        let entries = reader.mapping(node, "matrix of \(what)") ?? []
        return entries.compactMap { e in
            checkParameterName(e.key, e.keyNode, reader: reader)
            guard case .sequence(let items) = e.value, !items.isEmpty else {
                reader.error("matrix.\(e.key) of \(what) must be a non-empty list of values, found \(reader.describe(e.value))", at: e.value)
                return nil
            }
            let values = items.compactMap { item -> ConfigValue? in
                guard case .scalar = item else {
                    reader.error("matrix.\(e.key) of \(what) must list plain values, found \(reader.describe(item))", at: item)
                    return nil
                }
                return reader.value(item)
            }
            return values.count == items.count ? (e.key, values, e.keyNode) : nil
        }
    }

    static func checkParameterName(_ name: String, _ node: Node, reader: NodeReader) {
        if !isIdentifier(name) {
            reader.error("'\(name)' is not a valid parameter name; use letters, digits and '_', not starting with a digit", at: node)
        }
    }

    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic && first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
