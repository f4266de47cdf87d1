/// A parameter or configuration value: the JSON data model, as read from a pipeline file.
///
/// Values compare and hash structurally, and have one canonical text form (``canonicalJSON``) that
/// stage keys are computed from, so that `0.10` and `0.1` are the same parameter.
public enum ConfigValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([ConfigValue])
    case object([String: ConfigValue])

    /// The name of the value's type, for messages ("expected a string, found an integer").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "list"
        case .object: "mapping"
        }
    }

    /// The value as a command line would spell it: strings bare, numbers in their shortest form.
    public var interpolated: String {
        switch self {
        case .string(let s): s
        default: canonicalJSON
        }
    }

    /// The canonical JSON text: object keys sorted, no whitespace, shortest round-trip numbers.
    public var canonicalJSON: String {
        var out = ""
        writeCanonicalJSON(to: &out)
        return out
    }

    /// Appends the canonical JSON text of the value to `out`.
    public func writeCanonicalJSON(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += ConfigValue.format(d)
        case .string(let s): ConfigValue.writeJSONString(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                item.writeCanonicalJSON(to: &out)
            }
            out += "]"
        case .object(let fields):
            out += "{"
            for (i, key) in fields.keys.sorted().enumerated() {
                if i > 0 { out += "," }
                ConfigValue.writeJSONString(key, to: &out)
                out += ":"
                fields[key]!.writeCanonicalJSON(to: &out)
            }
            out += "}"
        }
    }

    /// Integral doubles print without a fraction (`1e3` → `1000`), others in Swift's shortest form.
    static func format(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d > 0 ? "Infinity" : "-Infinity" }
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return String(d)
    }

    /// Writes `s` as a JSON string literal.
    public static func writeJSONString(_ s: String, to out: inout String) {
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += s
            out += "\""
            return
        }
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

extension ConfigValue: CustomStringConvertible {
    /// The value as a person reads it in a message: strings bare, everything else as JSON.
    public var description: String { interpolated }
}
