import Foundation

/// A sampled value: a number, a string or boolean from a `choice`, or a nested choice's option
/// (`{"_name": "adam", "lr": 0.01}`, as NNI passes them to trials).
public enum ParameterValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(Int)
    case double(Double)
    case string(String)
    case bool(Bool)
    case nested([String: ParameterValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let i = try? c.decode(Int.self) { self = .int(i); return }
        if let d = try? c.decode(Double.self) { self = .double(d); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        self = .nested(try c.decode([String: ParameterValue].self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .bool(let v): try c.encode(v)
        case .nested(let v): try c.encode(v)
        }
    }

    /// Numbers are equal by value whether stored as whole or not (`1` read back from JSON is `1.0`).
    public static func == (a: ParameterValue, b: ParameterValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): x == y
        case (.bool(let x), .bool(let y)): x == y
        case (.nested(let x), .nested(let y)): x == y
        default: a.number != nil && a.number == b.number
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .int, .double: hasher.combine(0); hasher.combine(number!)
        case .string(let v): hasher.combine(1); hasher.combine(v)
        case .bool(let v): hasher.combine(2); hasher.combine(v)
        case .nested(let v): hasher.combine(3); hasher.combine(v)
        }
    }

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        default: nil
        }
    }

    /// As NNI prints it: `0.01`, `adam`, `{"_name": …}`.
    public var description: String {
        switch self {
        case .int(let v): String(v)
        case .double(let v): String(v)
        case .string(let v): v
        case .bool(let v): String(v)
        case .nested(let v): Configuration(values: v).json
        }
    }

    /// A value from parsed JSON (scalars and objects; nil for arrays and null).
    public static func from(json: JSONValue) -> ParameterValue? {
        switch json {
        case .bool(let v): return .bool(v)
        case .int(let v): return .int(v)
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .object(let d):
            var values: [String: ParameterValue] = [:]
            for (k, v) in d { guard let pv = from(json: v) else { return nil }; values[k] = pv }
            return .nested(values)
        case .null, .array: return nil
        }
    }
}

/// One trial's parameters by name.
public struct Configuration: Sendable, Hashable, Codable {
    public var values: [String: ParameterValue]

    public init(values: [String: ParameterValue]) { self.values = values }

    public subscript(name: String) -> ParameterValue? { values[name] }

    /// Canonical JSON (sorted keys): the configuration's identity in keys and databases.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(values)) ?? Data("{}".utf8), as: UTF8.self)
    }

    public static func parse(json: String) throws -> Configuration {
        Configuration(values: try JSONDecoder().decode([String: ParameterValue].self, from: Data(json.utf8)))
    }
}
