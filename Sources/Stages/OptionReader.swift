import Pipeline
import SystemIO

/// Typed reads of a stage's `with:` options, each problem named by option.
struct OptionReader {
    let with: [String: ConfigValue]
    init(_ with: [String: ConfigValue]) { self.with = with }

    func string(_ key: String, _ problems: inout [StageOptionProblem]) -> String? {
        guard let value = with[key] else { return nil }
        if case .string(let s) = value, !s.isEmpty { return s }
        problems.append(.init(option: key, message: "must be a non-empty string, found \(value.typeName) \(value)"))
        return nil
    }

    func int(_ key: String, minimum: Int, _ problems: inout [StageOptionProblem]) -> Int? {
        guard let value = with[key] else { return nil }
        if case .int(let n) = value, n >= minimum { return n }
        problems.append(.init(option: key, message: "must be a whole number ≥ \(minimum), found \(value)"))
        return nil
    }

    func number(_ key: String, positive: Bool, _ problems: inout [StageOptionProblem]) -> Double? {
        guard let value = with[key] else { return nil }
        switch value {
        case .int(let n) where !positive || n > 0: return Double(n)
        case .double(let d) where d.isFinite && (!positive || d > 0): return d
        default:
            problems.append(.init(option: key, message: "must be a \(positive ? "positive " : "")number, found \(value)"))
            return nil
        }
    }
}

extension OptionReader {
    /// Stage output folders: one name or a list of names (`from: [manual-sweep, tune]`); `what` says
    /// what they must be, for the problem.
    func folders(_ key: String, what: String, _ problems: inout [StageOptionProblem]) -> [String] {
        switch with[key] {
        case nil: return []
        case .string(let s)? where !s.isEmpty: return [s]
        case .array(let items)? where items.allSatisfy({ if case .string(let s) = $0 { !s.isEmpty } else { false } }):
            return items.map(\.interpolated)
        case let other?:
            problems.append(.init(option: key, message: "must be a list of \(what), found \(other)"))
            return []
        }
    }

    /// One of a closed vocabulary (`direction: minimize`); a problem lists the choices and suggests the nearest.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, _ problems: inout [StageOptionProblem]) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key, &problems) else { return nil }
        if let choice = Choice(rawValue: text) { return choice }
        let names = Choice.allCases.map(\.rawValue)
        let hint = NearestName.hint(text, among: names).map { "; \($0)" } ?? ""
        problems.append(.init(option: key, message: "must be \(names.joined(separator: " or ")), found '\(text)'\(hint)"))
        return nil
    }
}
