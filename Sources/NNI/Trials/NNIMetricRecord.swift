import Foundation
import Tuner

/// One record an NNI trial reports through `nni.report_intermediate_result` (PERIODICAL) or
/// `nni.report_final_result` (FINAL), decoded the way NNI's manager decodes it.
public struct NNIMetricRecord: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case periodical = "PERIODICAL"
        case final = "FINAL"
        /// The SDK asking for parameters: cannot happen once `parameter.cfg` exists; ignored.
        case requestParameter = "REQUEST_PARAMETER"
    }

    public var kind: Kind
    /// The scalar the tuner and assessor use: the value itself, or its `default`.
    public var value: Double
    /// The metric as the trial reported it when it was an object (`{"default": 0.93, "loss": 0.1}`):
    /// its other keys are kept with the trial. Nil for a bare number.
    public var details: String?
    /// `sequence` of a PERIODICAL record: 0, 1, 2, …
    public var sequence: Int
    public var trialJobID: String?
    public var parameterID: Int?

    public init(kind: Kind, value: Double, details: String? = nil, sequence: Int = 0, trialJobID: String? = nil, parameterID: Int? = nil) {
        self.kind = kind
        self.value = value
        self.details = details
        self.sequence = sequence
        self.trialJobID = trialJobID
        self.parameterID = parameterID
    }

    /// Decodes one record's JSON: `{"parameter_id", "trial_job_id", "type", "sequence", "value"}`, where
    /// `value` is a string that holds the metric's own JSON (NaN and ±Infinity allowed, as Python
    /// writes them). A REQUEST_PARAMETER record decodes with value 0.
    public static func decode(_ json: Data) throws -> NNIMetricRecord {
        guard case .object(let fields) = try lenientJSON(json) else { throw NNIError("a metric record must be a JSON object") }
        guard case .string(let type)? = fields["type"] else { throw NNIError("a metric record has no \"type\"") }
        guard let kind = Kind(rawValue: type) else {
            throw NNIError("unknown metric record type \"\(type)\" (expected PERIODICAL or FINAL)")
        }
        var record = NNIMetricRecord(kind: kind, value: 0)
        if case .string(let id)? = fields["trial_job_id"] { record.trialJobID = id }
        if case .int(let id)? = fields["parameter_id"] { record.parameterID = id }
        if case .int(let sequence)? = fields["sequence"] { record.sequence = sequence }
        guard kind != .requestParameter else { return record }
        let metric: JSONValue
        switch fields["value"] {
        case .string(let text)?:
            metric = try lenientJSON(Data(text.utf8))
        case let other?:
            metric = other  // a value written as JSON rather than as a string of JSON
        case nil:
            throw NNIError("a \(type) record has no \"value\"")
        }
        (record.value, record.details) = try scalar(metric)
        return record
    }

    /// The scalar of a metric, as NNI's `extract_scalar_reward`: a number, or an object whose `default`
    /// is a number (its text kept as details).
    public static func scalar(_ metric: JSONValue) throws -> (Double, String?) {
        if let number = metric.number { return (number, nil) }
        if case .object(let fields) = metric, let number = fields["default"]?.number {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
            let text = (try? encoder.encode(metric)).map { String(decoding: $0, as: UTF8.self) }
            return (number, text)
        }
        throw NNIError("metric must be a number or {\"default\": number}, found \(describe(metric))")
    }

    /// The scalar of a metric written as JSON text (Python's NaN and ±Infinity allowed).
    public static func scalar(json: Data) throws -> (Double, String?) {
        try scalar(lenientJSON(json))
    }

    /// JSON with Python's `NaN`, `Infinity` and `-Infinity`. (Foundation's JSON5 mode reads them, but
    /// also reads some fractions as the integer 0: the bare words become marked strings instead, read
    /// strictly, and turn back into numbers.)
    static func lenientJSON(_ data: Data) throws -> JSONValue {
        do {
            return restoringNonFinite(try JSONValue.parse(markingNonFinite(data)))
        } catch {
            let text = String(decoding: data.prefix(200), as: UTF8.self)
            throw NNIError("not JSON: \(text)\(data.count > 200 ? "…" : "")")
        }
    }

    private static let marker = "\u{1}labmake-non-finite:"

    /// `data` with each bare `NaN`, `Infinity` and `-Infinity` outside strings written as a marked string.
    static func markingNonFinite(_ data: Data) -> Data {
        let bytes = [UInt8](data)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        var inString = false
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                out.append(byte)
                if byte == UInt8(ascii: "\\"), i + 1 < bytes.count { out.append(bytes[i + 1]); i += 2; continue }
                if byte == UInt8(ascii: "\"") { inString = false }
                i += 1
                continue
            }
            if byte == UInt8(ascii: "\"") { inString = true }
            var replaced = false
            for word in ["-Infinity", "Infinity", "NaN"] where bytes.count - i >= word.utf8.count && Array(bytes[i..<i + word.utf8.count]) == Array(word.utf8) {
                out += Array("\"\\u0001labmake-non-finite:\(word)\"".utf8)
                i += word.utf8.count
                replaced = true
                break
            }
            if !replaced {
                out.append(byte)
                i += 1
            }
        }
        return Data(out)
    }

    private static func restoringNonFinite(_ value: JSONValue) -> JSONValue {
        switch value {
        case .string(let text) where text.hasPrefix(marker):
            switch text.dropFirst(marker.count) {
            case "NaN": return .double(.nan)
            case "Infinity": return .double(.infinity)
            default: return .double(-.infinity)
            }
        case .array(let items): return .array(items.map(restoringNonFinite))
        case .object(let fields): return .object(fields.mapValues(restoringNonFinite))
        default: return value
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "the boolean \(b)"
        case .string(let s): "the string \"\(s.prefix(100))\""
        case .array: "a list"
        case .object: "an object without a numeric \"default\""
        case .int, .double: "a number"
        }
    }
}

/// A problem with NNI's files: a metrics frame, a config file, an experiment database.
public struct NNIError: Error, Sendable, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
