import Foundation
import SystemIO
import Tuner
import Yams

/// Reading YAML values with their locations, and saying what is wrong with them.
extension NNIConfigReader {
    // MARK: - Reading values

    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    mutating func entries(_ mapping: Node.Mapping) -> [Entry] {
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                add(problem("keys must be strings", at: key))
                continue
            }
            entries.append(Entry(key: scalar.string, keyNode: key, value: value))
        }
        return entries
    }

    mutating func mapping(_ entry: Entry) -> [Entry]? {
        if case .scalar(let scalar) = entry.value, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" { return [] }
        guard case .mapping(let mapping) = entry.value else {
            add(problem("\(entry.key) must be a mapping", at: entry.value))
            return nil
        }
        return entries(mapping)
    }

    mutating func string(_ entry: Entry) -> String? {
        guard case .scalar(let scalar) = entry.value, !scalar.string.isEmpty else {
            add(problem("\(entry.key) must be a string", at: entry.value))
            return nil
        }
        return scalar.string
    }

    mutating func int(_ entry: Entry, minimum: Int) -> Int? {
        guard case .scalar(let scalar) = entry.value, let value = Int(scalar.string) else {
            add(problem("\(entry.key) must be an integer", at: entry.value))
            return nil
        }
        guard value >= minimum else {
            add(problem("\(entry.key) must be at least \(minimum), found \(value)", at: entry.value))
            return nil
        }
        return value
    }

    mutating func positiveNumber(_ entry: Entry) -> Double? {
        guard case .scalar(let scalar) = entry.value, let value = Double(scalar.string), value.isFinite, value > 0 else {
            add(problem("\(entry.key) must be a positive number", at: entry.value))
            return nil
        }
        return value
    }

    /// PyYAML's booleans (YAML 1.1): true/false, yes/no, on/off, in any case.
    mutating func bool(_ entry: Entry) -> Bool? {
        guard case .scalar(let scalar) = entry.value else {
            add(problem("\(entry.key) must be true or false", at: entry.value))
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default:
            add(problem("\(entry.key) must be true or false, found '\(scalar.string)'", at: entry.value))
            return nil
        }
    }

    mutating func duration(_ entry: Entry) -> Double? {
        guard case .scalar(let scalar) = entry.value, let seconds = NNIDuration.seconds(scalar.string), seconds > 0 else {
            add(problem("\(entry.key) must be a duration: seconds, or a number with s, m, h or d (\"2h\")", at: entry.value))
            return nil
        }
        return seconds
    }

    /// A YAML value as JSON text, for an inline search space.
    mutating func json(_ node: Node) -> String? {
        func value(_ node: Node) throws -> JSONValue {
            switch node {
            case .scalar(let scalar):
                guard scalar.style == .plain else { return .string(scalar.string) }
                let text = scalar.string
                if let int = Int(text) { return .int(int) }
                if let double = Double(text), text.rangeOfCharacter(from: .letters) == nil || text.lowercased().contains("e") { return .double(double) }
                switch text.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null", "~", "": return .null
                default: return .string(text)
                }
            case .sequence(let items): return .array(try items.map(value))
            case .mapping(let mapping):
                var fields: [String: JSONValue] = [:]
                for (key, item) in mapping {
                    guard case .scalar(let scalar) = key else { throw NNIError("keys must be strings") }
                    fields[scalar.string] = try value(item)
                }
                return .object(fields)
            case .alias: throw NNIError("aliases are not supported here")
            }
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(try value(node)), as: UTF8.self)
        } catch {
            add(problem("searchSpace: \(error)", at: node))
            return nil
        }
    }

    // MARK: - Problems and notices

    /// Keys compare as NNI compares them: case and underscores do not matter.
    static func canonical(_ key: String) -> String { key.lowercased().replacingOccurrences(of: "_", with: "") }

    func location(_ node: Node?) -> (Int, Int) { (node?.mark?.line ?? 1, node?.mark?.column ?? 1) }

    func problem(_ message: String, at node: Node? = nil, hint: String? = nil) -> NNIConfigProblem {
        let (line, column) = location(node)
        return NNIConfigProblem(file: file, line: line, column: column, message: message, hint: hint)
    }

    mutating func add(_ problem: NNIConfigProblem) { problems.append(problem) }

    mutating func refuse(_ entry: Entry, _ reason: String, atValue: Bool = false) {
        add(problem(reason, at: atValue ? entry.value : entry.keyNode))
    }

    mutating func ignore(_ entry: Entry, under parent: String? = nil) {
        let (line, column) = location(entry.keyNode)
        ignored.append((parent.map { $0 + "." } ?? "") + entry.key + " (\(line):\(column))")
    }

    mutating func unknown(_ entry: Entry, among keys: [String], in what: String) {
        add(problem("unknown key '\(entry.key)' in \(what)", at: entry.keyNode,
                    hint: NearestName.hint(entry.key, among: keys)))
    }

    func yamlProblem(_ error: YamlError) -> NNIConfigProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return NNIConfigProblem(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return NNIConfigProblem(file: file, line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key '\(duplicates.joined(separator: "', '"))'")
        default:
            return problem("invalid YAML: \(error)")
        }
    }

    func absolute(_ path: String) -> String {
        let expanded = path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst(1) : path
        let joined = expanded.hasPrefix("/") ? expanded : folder + "/" + expanded
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// The first node at which the tree passes the limits on values and nesting (aliases that repeat aliases).
    static func tooLarge(_ root: Node) -> (Node, String)? {
        var stack: [(Node, Int)] = [(root, 1)]
        var values = 0
        while let (node, depth) = stack.popLast() {
            values += 1
            if values > maximumValues { return (node, "the file expands to more than \(maximumValues) values (aliases that repeat aliases?)") }
            if depth > maximumDepth { return (node, "the file nests lists and mappings more than \(maximumDepth) deep") }
            switch node {
            case .scalar, .alias: break
            case .sequence(let items): for item in items { stack.append((item, depth + 1)) }
            case .mapping(let mapping): for (key, value) in mapping { stack.append((value, depth + 1)); stack.append((key, depth + 1)) }
            }
        }
        return nil
    }
}
