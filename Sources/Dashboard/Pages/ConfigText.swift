import Foundation
import Pipeline

/// A configuration value written as YAML, in HTML with its keys, strings and numbers marked for colour:
/// how the dashboard shows a stage's resolved definition.
enum ConfigText {
    static func html(_ value: ConfigValue) -> String {
        var out = ""
        write(value, indent: 0, to: &out)
        return out
    }

    private static func write(_ value: ConfigValue, indent: Int, to out: inout String) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let fields):
            for key in fields.keys.sorted() {
                out += pad + "<span class=\"k\">\(HTML.escape(key))</span>:"
                let field = fields[key]!
                if isBlock(field) {
                    out += "\n"
                    write(field, indent: indent + 1, to: &out)
                } else {
                    out += " " + scalar(field) + "\n"
                }
            }
        case .array(let items) where isBlock(value):
            for item in items {
                if case .object = item {
                    var nested = ""
                    write(item, indent: indent + 1, to: &nested)
                    out += pad + "- " + nested.dropFirst(pad.count + 2)
                } else {
                    out += pad + "- " + scalar(item) + "\n"
                }
            }
        default:
            out += pad + scalar(value) + "\n"
        }
    }

    /// Whether a value takes lines of its own (a non-empty mapping, or a list holding one).
    private static func isBlock(_ value: ConfigValue) -> Bool {
        switch value {
        case .object(let fields): return !fields.isEmpty
        case .array(let items): return items.contains { if case .object(let f) = $0 { return !f.isEmpty } else { return false } }
        default: return false
        }
    }

    /// A value on one line: strings bare where YAML reads them back as the same string, quoted otherwise.
    private static func scalar(_ value: ConfigValue) -> String {
        switch value {
        case .string(let s):
            let plain = !s.isEmpty && s.trimmingCharacters(in: .whitespaces) == s && !s.contains(": ") && !s.contains(" #")
                && !"-?:,[]{}#&*!|>'\"%@`".contains(s.first!) && Double(s) == nil && !["true", "false", "null", "yes", "no", "~"].contains(s.lowercased())
                && !s.contains("\n")
            return "<span class=\"s\">\(HTML.escape(plain ? s : ConfigValue.string(s).canonicalJSON))</span>"
        case .int, .double: return "<span class=\"n\">\(HTML.escape(value.canonicalJSON))</span>"
        case .bool, .null: return "<span class=\"n\">\(value.canonicalJSON)</span>"
        case .array(let items): return "[" + items.map(scalar).joined(separator: ", ") + "]"
        case .object: return "{}"
        }
    }
}
