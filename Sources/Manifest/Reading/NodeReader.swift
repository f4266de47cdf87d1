import Pipeline
import SystemIO
import Yams

/// Reads a composed YAML tree, checking shapes and types, and collects a ``Diagnostic`` for every
/// mistake instead of stopping at the first.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func error(_ message: String, at node: Node, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location(node), hint: hint))
    }

    func error(_ message: String, at location: SourceLocation?, hint: String? = nil) {
        diagnostics.append(Diagnostic(message, at: location, hint: hint))
    }

    /// A mapping's entries in file order, keys as strings; nil (with a diagnostic) otherwise.
    func mapping(_ node: Node, _ what: String) -> [Entry]? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping, found \(describe(node))", at: node)
            return nil
        }
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                error("keys of \(what) must be strings, found \(describe(key))", at: key)
                continue
            }
            entries.append(Entry(key: scalar.string, keyNode: key, value: value))
        }
        return entries
    }

    /// Reports keys outside `allowed`, suggesting the nearest valid one.
    func checkKeys(_ entries: [Entry], allowed: [String], in what: String) {
        for entry in entries where !allowed.contains(entry.key) {
            error("unknown key '\(entry.key)' in \(what); expected one of: \(allowed.joined(separator: ", "))",
                  at: entry.keyNode, hint: NearestName.hint(entry.key, among: allowed))
        }
    }

    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a string, found \(describe(node))", at: node)
            return nil
        }
        if scalar.style == .plain, case let typed = ScalarTyping.value(ofPlain: scalar.string), !isString(typed) {
            error("\(what) must be a string, found \(typed.typeName) \(scalar.string)", at: node,
                  hint: "quote it to use it as text")
            return nil
        }
        return scalar.string
    }

    func int(_ node: Node, _ what: String) -> Int? {
        guard case .int(let value)? = self.value(node) else {
            error("\(what) must be an integer, found \(describe(node))", at: node)
            return nil
        }
        return value
    }

    /// A list of strings, each with its node; a single string counts as a list of one when `single`.
    func stringList(_ node: Node, _ what: String, single: Bool = false) -> [(String, Node)]? {
        if single, case .scalar = node { return string(node, what).map { [($0, node)] } }
        guard case .sequence(let sequence) = node else {
            error("\(what) must be a list of strings, found \(describe(node))", at: node)
            return nil
        }
        var items: [(String, Node)] = []
        for item in sequence {
            if let s = string(item, "each item of \(what)") { items.append((s, item)) }
        }
        return items
    }

    /// Any value: scalars typed by the YAML 1.2 core schema, lists, mappings.
    func value(_ node: Node) -> ConfigValue? {
        switch node {
        case .scalar(let scalar):
            return scalar.style == .plain ? ScalarTyping.value(ofPlain: scalar.string) : .string(scalar.string)
        case .sequence(let sequence):
            var items: [ConfigValue] = []
            for item in sequence {
                guard let v = value(item) else { return nil }
                items.append(v)
            }
            return .array(items)
        case .mapping:
            guard let entries = mapping(node, "a value") else { return nil }
            var fields: [String: ConfigValue] = [:]
            for entry in entries {
                guard let v = value(entry.value) else { return nil }
                fields[entry.key] = v
            }
            return .object(fields)
        case .alias:
            error("YAML aliases are not supported here", at: node)
            return nil
        }
    }

    /// "a list", "a mapping", "the integer 3" …
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            let typed = scalar.style == .plain ? ScalarTyping.value(ofPlain: scalar.string) : .string(scalar.string)
            if case .null = typed { return "nothing" }
            return "\(typed.typeName) '\(scalar.string)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .alias: return "an alias"
        }
    }

    private func isString(_ value: ConfigValue) -> Bool {
        if case .string = value { return true }
        return false
    }
}

/// A key and its value in a YAML mapping.
struct Entry {
    var key: String
    var keyNode: Node
    var value: Node
}
