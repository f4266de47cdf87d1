import Foundation
import SystemIO
import Tuner

/// A filter over an experiment's trials, written as space-separated terms that must all hold:
/// `status:SUCCEEDED,EARLY_STOPPED metric>0.85 lr<0.01 optimizer=adam trial>=10`. Fields are `status`,
/// `metric`, `trial`, `seconds`, `steps` (intermediate results) and the search space's parameters;
/// operators `= != < <= > >=` and `:` (one of a comma-separated list). The dashboard keeps it in the
/// URL and applies it to the table, every chart and the export.
public struct TrialFilter: Sendable, Equatable {
    /// One `field op value` term.
    public struct Term: Sendable, Equatable {
        public enum Operator: String, Sendable, CaseIterable {
            case lessOrEqual = "<=", greaterOrEqual = ">=", notEqual = "!=", equal = "=", less = "<", greater = ">", oneOf = ":"
        }
        public var field: String
        public var op: Operator
        public var value: String
    }

    /// Why a filter could not be read.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public let text: String
    public let terms: [Term]

    static let fields = ["status", "metric", "trial", "seconds", "steps"]

    /// Reads `text`; `parameters` are the names a term may use besides the built-in fields.
    public init(_ text: String, parameters: [String]) throws(Problem) {
        self.text = text.trimmingCharacters(in: .whitespaces)
        var terms: [Term] = []
        for word in self.text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
            guard let (field, op, value) = Self.split(word) else {
                throw Problem(description: "'\(word)' is not a term: write field, operator and value, as metric>0.85 or status:FAILED")
            }
            let known = Self.fields + parameters
            guard known.contains(field) else {
                let hint = NearestName.suggest(field, among: known).map { " (did you mean '\($0)'?)" } ?? ""
                throw Problem(description: "unknown field '\(field)' in '\(word)'\(hint); fields: \(known.joined(separator: ", "))")
            }
            if field == "status" {
                let statuses = TrialStatus.allCases.map(\.rawValue)
                for name in value.split(separator: ",") where !statuses.contains(name.uppercased()) {
                    throw Problem(description: "unknown status '\(name)' in '\(word)'; statuses: \(statuses.joined(separator: ", "))")
                }
            } else if Self.fields.contains(field), op != .oneOf, Double(value) == nil {
                throw Problem(description: "'\(value)' in '\(word)' is not a number")
            }
            if [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(op), Double(value) == nil {
                throw Problem(description: "'\(word)' compares with '\(value)', which is not a number")
            }
            terms.append(Term(field: field, op: op, value: value))
        }
        self.terms = terms
    }

    /// No filter: every trial.
    public static let none = try! TrialFilter("", parameters: [])

    public var isEmpty: Bool { terms.isEmpty }

    private static func split(_ word: String) -> (String, Term.Operator, String)? {
        for op in Term.Operator.allCases {
            guard let range = word.range(of: op.rawValue) else { continue }
            let field = String(word[..<range.lowerBound]), value = String(word[range.upperBound...])
            // `a<=b` must not read as `a<` `=b`: the first operator in the word wins.
            if let earlier = Term.Operator.allCases.compactMap({ word.range(of: $0.rawValue)?.lowerBound }).min(), earlier < range.lowerBound {
                continue
            }
            guard !field.isEmpty, !value.isEmpty else { return nil }
            return (field, op, value)
        }
        return nil
    }

    /// Whether `trial` passes every term.
    public func matches(_ trial: TrialRecord) -> Bool {
        matches(trial, parameters: terms.contains { !Self.fields.contains($0.field) } ? trial.configuration.flattened : [:])
    }

    /// Whether `trial`, whose parameters with nested choices spread out are `parameters`, passes every term.
    func matches(_ trial: TrialRecord, parameters: [String: ParameterValue]) -> Bool {
        terms.allSatisfy { term in
            switch term.field {
            case "status":
                return term.value.split(separator: ",").map { $0.uppercased() }.contains(trial.status.rawValue) != (term.op == .notEqual)
            case "metric": return Self.compare(trial.metric, term)
            case "trial": return Self.compare(Double(trial.number), term)
            case "seconds": return Self.compare(trial.seconds, term)
            case "steps": return Self.compare(Double(trial.intermediates.count), term)
            default:
                guard let value = parameters[term.field] else { return term.op == .notEqual }
                if let number = value.number, Double(term.value) != nil { return Self.compare(number, term) }
                let text = value.description
                switch term.op {
                case .equal: return text == term.value
                case .notEqual: return text != term.value
                case .oneOf: return term.value.split(separator: ",").map(String.init).contains(text)
                default: return false
                }
            }
        }
    }

    private static func compare(_ value: Double?, _ term: Term) -> Bool {
        guard let value else { return term.op == .notEqual }
        let targets = term.value.split(separator: ",").compactMap { Double($0) }
        guard let target = targets.first else { return false }
        switch term.op {
        case .equal: return value == target
        case .notEqual: return value != target
        case .less: return value < target
        case .lessOrEqual: return value <= target
        case .greater: return value > target
        case .greaterOrEqual: return value >= target
        case .oneOf: return targets.contains(value)
        }
    }
}
