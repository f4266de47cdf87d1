import Foundation
import SystemIO
import Randomness

/// A search space in NNI's format: `{"lr": {"_type": "loguniform", "_value": [1e-4, 0.1]}, …}`,
/// with NNI's semantics for every type, nested choices (`{"_name": …}` options) included.
public struct SearchSpace: Sendable, Equatable {
    /// In name order (the order samplers draw in).
    public var parameters: [Parameter]

    public init(parameters: [Parameter]) { self.parameters = parameters.sorted { $0.name < $1.name } }

    /// Parses NNI's JSON; `source` names the file in messages.
    public static func parse(_ data: Data, source: String = "search space") throws -> SearchSpace {
        let object: JSONValue
        do { object = try JSONValue.parse(data) } catch {
            throw TunerError("\(source)\(JSONErrorLocation.of(data).map { ":\($0.line):\($0.column)" } ?? ""): not valid JSON"
                             + (JSONErrorLocation.reason(data).map { " (\($0))" } ?? ""))
        }
        guard case .object(let dict) = object else { throw TunerError("\(source): the search space must be a JSON object of parameters") }
        return try parse(dict, source: source, prefix: "")
    }

    /// Parses the same structure already decoded (inline YAML, nested choices).
    public static func parse(_ dict: [String: JSONValue], source: String, prefix: String = "") throws -> SearchSpace {
        guard !dict.isEmpty else { throw TunerError("\(source): the search space has no parameters") }
        return SearchSpace(parameters: try dict.keys.sorted().map { try Parameter.parse(name: $0, dict[$0]!, source: source, prefix: prefix) })
    }

    /// Whether any parameter is a choice.
    public var hasChoice: Bool { choiceCount > 0 }

    /// Whether a third or more of the parameters are choices: where the tuner benchmark found TPE and the GP
    /// ranked differently, and the GP wanting a longer start-up (benchmarks/tuner/README.md).
    public var isChoiceHeavy: Bool {
        choiceCount * 3 >= parameters.count
    }

    private var choiceCount: Int { parameters.filter { if case .choice = $0.distribution { true } else { false } }.count }

    /// A configuration drawn from NNI's distributions (what random search does).
    public func sample(using random: inout SplitMix64) -> Configuration {
        var values: [String: ParameterValue] = [:]
        for p in parameters { values[p.name] = p.distribution.sample(using: &random) }
        return Configuration(values: values)
    }

    /// Why `configuration` is not a point of this space, or nil when it is.
    public func violation(_ configuration: Configuration) -> String? {
        for p in parameters {
            guard let value = configuration[p.name] else { return "'\(p.name)' is missing" }
            if let why = p.distribution.violation(value) { return "'\(p.name)' = \(value): \(why)" }
        }
        let extra = Set(configuration.values.keys).subtracting(parameters.map(\.name))
        return extra.isEmpty ? nil : "unknown parameters: \(extra.sorted().joined(separator: ", "))"
    }
}

/// A tuner mistake or failure, said plainly.
public struct TunerError: Error, CustomStringConvertible, Equatable, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct Parameter: Sendable, Equatable {
    public var name: String
    public var distribution: Distribution

    static func parse(name: String, _ spec: JSONValue, source: String, prefix: String) throws -> Parameter {
        let label = prefix + name
        func fail(_ why: String) -> TunerError { TunerError("\(source): parameter '\(label)': \(why)") }
        guard case .object(let fields) = spec, case .string(let type)? = fields["_type"] else {
            throw fail("expected {\"_type\": …, \"_value\": […]}")
        }
        guard case .array(let raw)? = fields["_value"] else { throw fail("'_value' must be a list") }
        func numbers(_ count: Int) throws -> [Double] {
            let values = raw.compactMap(\.number)
            guard values.count == raw.count, values.count == count, values.allSatisfy(\.isFinite) else {
                    throw fail("\(type) takes \(count) numbers, got \(raw.count)\(values.count == raw.count ? "" : " values, not all numbers")")
            }
            return values
        }
        func ordered(_ v: [Double], positive: Bool = false) throws {
            guard v[0] < v[1] else { throw fail("\(type) needs low < high, got [\(fmt(v[0])), \(fmt(v[1]))]") }
            if positive && v[0] <= 0 { throw fail("\(type) needs 0 < low, got \(fmt(v[0])) (the logarithm of it is taken)") }
        }
        func quantum(_ q: Double) throws { guard q > 0 else { throw fail("\(type) needs q > 0, got \(fmt(q))") } }
        func sigma(_ s: Double) throws { guard s > 0 else { throw fail("\(type) needs sigma > 0, got \(fmt(s))") } }
        let distribution: Distribution
        switch type {
        case "choice":
            guard !raw.isEmpty else { throw fail("choice needs at least one option") }
            distribution = .choice(try raw.enumerated().map { k, option in
                if case .object(let nested) = option {
                    guard case .string(let optionName)? = nested["_name"] else { throw fail("option \(k) is an object without '_name'") }
                    var rest = nested
                    rest["_name"] = nil
                    let sub = rest.isEmpty ? SearchSpace(parameters: [])
                        : try SearchSpace.parse(rest, source: source, prefix: "\(label)/\(optionName)/")
                    return ChoiceOption(value: .string(optionName), nested: sub)
                }
                guard let value = ParameterValue.from(json: option) else { throw fail("option \(k) is not a number, string or boolean") }
                return ChoiceOption(value: value, nested: nil)
            })
        case "randint":
            let v = try numbers(2)
            guard v[0] == v[0].rounded(), v[1] == v[1].rounded() else { throw fail("randint takes whole numbers, got [\(fmt(v[0])), \(fmt(v[1]))]") }
            // Whole numbers beyond 2^53 are not exact in a Double, and beyond Int they trap: refuse them here.
            guard abs(v[0]) <= SearchSpace.largestExactInteger, abs(v[1]) <= SearchSpace.largestExactInteger else {
                throw fail("randint bounds must lie within ±\(Int(SearchSpace.largestExactInteger)) (2^53), got [\(fmt(v[0])), \(fmt(v[1]))]")
            }
            try ordered(v)
            distribution = .randint(Int(v[0]), Int(v[1]))
        case "uniform": let v = try numbers(2); try ordered(v); distribution = .uniform(v[0], v[1])
        case "quniform": let v = try numbers(3); try ordered(v); try quantum(v[2]); distribution = .quniform(v[0], v[1], v[2])
        case "loguniform": let v = try numbers(2); try ordered(v, positive: true); distribution = .loguniform(v[0], v[1])
        case "qloguniform":
            let v = try numbers(3); try ordered(v, positive: true); try quantum(v[2]); distribution = .qloguniform(v[0], v[1], v[2])
        case "normal": let v = try numbers(2); try sigma(v[1]); distribution = .normal(v[0], v[1])
        case "qnormal": let v = try numbers(3); try sigma(v[1]); try quantum(v[2]); distribution = .qnormal(v[0], v[1], v[2])
        case "lognormal": let v = try numbers(2); try sigma(v[1]); distribution = .lognormal(v[0], v[1])
        case "qlognormal": let v = try numbers(3); try sigma(v[1]); try quantum(v[2]); distribution = .qlognormal(v[0], v[1], v[2])
        default:
            let known = ["choice", "randint", "uniform", "quniform", "loguniform", "qloguniform", "normal", "qnormal", "lognormal", "qlognormal"]
            throw fail("unknown _type '\(type)'" + (NearestName.hint(type, among: known).map { "; \($0)" } ?? "")
                       + " (types: \(known.joined(separator: ", ")))")
        }
        if let problem = NumericDomain(distribution)?.representationProblem { throw fail("\(type) \(problem)") }
        return Parameter(name: name, distribution: distribution)
    }
}

/// One option of a `choice`: a plain value, or a nested option (its `_name` and its own parameters).
public struct ChoiceOption: Sendable, Equatable {
    public var value: ParameterValue
    public var nested: SearchSpace?
}

/// NNI's distributions.
public enum Distribution: Sendable, Equatable {
    case choice([ChoiceOption])
    /// An integer in [lower, upper).
    case randint(Int, Int)
    case uniform(Double, Double)
    /// clip(round(U(low, high) / q) · q, low, high).
    case quniform(Double, Double, Double)
    case loguniform(Double, Double)
    case qloguniform(Double, Double, Double)
    case normal(Double, Double)
    case qnormal(Double, Double, Double)
    case lognormal(Double, Double)
    case qlognormal(Double, Double, Double)

    func sample(using r: inout SplitMix64) -> ParameterValue {
        switch self {
        case .choice(let options):
            let option = options[Int(r.next() % UInt64(options.count))]
            return option.materialize(using: &r)
        default:
            let domain = NumericDomain(self)!
            let x: Double = switch self {
            case .normal(let mu, let s), .qnormal(let mu, let s, _), .lognormal(let mu, let s), .qlognormal(let mu, let s, _):
                mu + s * Double(r.normal())
            default:
                domain.low + (domain.high - domain.low) * (Double(r.next() >> 11) * 0x1p-53)
            }
            return domain.value(fromInternal: x)
        }
    }

    func violation(_ value: ParameterValue) -> String? {
        switch self {
        case .choice(let options):
            let name: ParameterValue
            if case .nested(let fields) = value {
                guard let n = fields["_name"] else { return "a nested choice needs '_name'" }
                name = n
            } else {
                name = value
            }
            guard let option = options.first(where: { $0.value == name }) else {
                return "not one of the options"
            }
            if let nested = option.nested, case .nested(var fields) = value {
                fields["_name"] = nil
                return nested.violation(Configuration(values: fields))
            }
            return nil
        default:
            guard let x = value.number else { return "not a number" }
            let domain = NumericDomain(self)!
            if let (low, high) = domain.clip, x < low - 1e-9 * abs(low) || x > high + 1e-9 * abs(high) { return "out of bounds" }
            if domain.integer && x != x.rounded() { return "not a whole number" }
            if let q = domain.q, abs((x / q).rounded() * q - x) > 1e-9 * Swift.max(1, abs(x)), x != domain.clip?.0, x != domain.clip?.1 {
                return "not a multiple of \(q)"
            }
            return nil
        }
    }
}

extension ChoiceOption {
    /// The option as a trial receives it: the value, or `{"_name": …, sub-parameters…}`.
    func materialize(using r: inout SplitMix64) -> ParameterValue {
        guard let nested else { return value }
        var fields = nested.sample(using: &r).values
        fields["_name"] = value
        return .nested(fields)
    }
}

/// A numeric distribution seen by model-based samplers: an interval in an internal space (the log for
/// log types), the prior there, and how to turn an internal point back into NNI's value.
struct NumericDomain: Equatable {
    var low: Double, high: Double
    var log: Bool
    var q: Double?
    var integer: Bool
    /// NNI's clipping bounds in value space (none for normal types).
    var clip: (Double, Double)?
    /// A Gaussian prior (normal types), else uniform over [low, high].
    var prior: (mu: Double, sigma: Double)?

    static func == (a: NumericDomain, b: NumericDomain) -> Bool {
        a.low == b.low && a.high == b.high && a.log == b.log && a.q == b.q && a.integer == b.integer
    }

    /// Why the sampler cannot represent this domain's values, or nil: a range wider than a Double
    /// holds, or log-scale values that overflow (mu + 6·sigma past 709 for lognormal).
    var representationProblem: String? {
        guard low.isFinite, high.isFinite, (high - low).isFinite else {
            return "spans a range wider than a 64-bit float holds (from \(fmt(low)) to \(fmt(high)))"
        }
        if log, exp(high).isInfinite {
            return "reaches values that overflow a 64-bit float (exp(\(fmt(high)))); mu + 6 sigma must be at most 709"
        }
        if let q, !(q.isFinite && (high - low) / q <= 1e15) {
            return "has more than 10^15 steps of q = \(fmt(q))"
        }
        return nil
    }

    init?(_ d: Distribution) {
        integer = false
        clip = nil
        prior = nil
        q = nil
        log = false
        switch d {
        case .choice: return nil
        case .randint(let a, let b):
            // Integers a…b−1, each owning a unit interval.
            (low, high, integer, clip) = (Double(a) - 0.5, Double(b) - 0.5, true, (Double(a), Double(b - 1)))
        case .uniform(let a, let b): (low, high, clip) = (a, b, (a, b))
        case .quniform(let a, let b, let step): (low, high, q, clip) = (a, b, step, (a, b))
        case .loguniform(let a, let b): (low, high, log, clip) = (Foundation.log(a), Foundation.log(b), true, (a, b))
        case .qloguniform(let a, let b, let step): (low, high, log, q, clip) = (Foundation.log(a), Foundation.log(b), true, step, (a, b))
        case .normal(let mu, let s): (low, high, prior) = (mu - 6 * s, mu + 6 * s, (mu, s))
        case .qnormal(let mu, let s, let step): (low, high, q, prior) = (mu - 6 * s, mu + 6 * s, step, (mu, s))
        case .lognormal(let mu, let s): (low, high, log, prior) = (mu - 6 * s, mu + 6 * s, true, (mu, s))
        case .qlognormal(let mu, let s, let step): (low, high, log, q, prior) = (mu - 6 * s, mu + 6 * s, true, step, (mu, s))
        }
    }

    /// NNI's value for internal point `x`: exp for log types, then rounding to q and clipping.
    func value(fromInternal x: Double) -> ParameterValue {
        if integer {
            // Rounded, then clipped: the interval's lower end a − ½ rounds away from zero to a − 1 when a ≤ 0.
            var n = x.rounded(.toNearestOrAwayFromZero)
            if let (a, b) = clip { n = Swift.min(Swift.max(n, a), b) }
            return .int(Int(n))
        }
        var v = log ? exp(x) : x
        if let q { v = (v / q).rounded() * q }
        if let (a, b) = clip { v = Swift.min(Swift.max(v, a), b) }
        return .double(v)
    }

    /// The distance between neighbouring values in the internal space: 1 for integers, q for linear
    /// quantized types, 0 where values are continuous or unevenly spaced (quantized log types).
    var internalStep: Double {
        if integer { return 1 }
        if let q, !log { return q }
        return 0
    }

    /// The internal point of a value.
    func internalPoint(_ value: ParameterValue) -> Double? {
        guard let v = value.number else { return nil }
        if log { return v > 0 ? Foundation.log(v) : low }
        return v
    }
}

extension SearchSpace {
    /// 2^53: the largest magnitude below which every whole number is exact in a Double.
    static let largestExactInteger = 9_007_199_254_740_992.0
}

func fmt(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
