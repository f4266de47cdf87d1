import Pipeline
import Training
import Tuner

extension Configuration {
    /// These values with `other`'s on top.
    func merging(_ other: Configuration) -> Configuration {
        Configuration(values: values.merging(other.values) { _, new in new })
    }
}

/// Conversions between the pipeline's values, the tuner's configurations and training settings.
enum TrialParameters {
    /// A pipeline value as a tuner value; nil for lists and null, which no trial parameter can be.
    static func value(_ config: ConfigValue) -> ParameterValue? {
        switch config {
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .string(let s): return .string(s)
        case .object(let fields):
            var values: [String: ParameterValue] = [:]
            for (k, v) in fields { guard let pv = value(v) else { return nil }; values[k] = pv }
            return .nested(values)
        case .null, .array: return nil
        }
    }

    /// A tuner value as a pipeline value.
    static func config(_ value: ParameterValue) -> ConfigValue {
        switch value {
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .nested(let fields): .object(fields.mapValues(config))
        }
    }

    /// A pipeline value as JSON, for search spaces written inline in the pipeline file.
    static func json(_ config: ConfigValue) -> JSONValue {
        switch config {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .double(let d): .double(d)
        case .string(let s): .string(s)
        case .array(let items): .array(items.map(json))
        case .object(let fields): .object(fields.mapValues(json))
        }
    }

    /// The pipeline parameters a trial starts from (the baseline); lists and nulls are not parameters.
    static func baseline(_ params: [String: ConfigValue]) -> Configuration {
        Configuration(values: params.compactMapValues(value))
    }

    /// Training settings from a configuration: each parameter is a setting by its lab name; a nested
    /// choice (`{"_name": "sgd", "momentum": 0.9}`) sets the parameter to its `_name` and each field.
    static func trainingConfig(_ configuration: Configuration) throws(TrainingError) -> TrainingConfig {
        var config = TrainingConfig()
        for (name, value) in configuration.values.sorted(by: { $0.key < $1.key }) {
            if case .nested(let fields) = value {
                if let option = fields["_name"] { try config.set(name, option.description) }
                for (field, inner) in fields.sorted(by: { $0.key < $1.key }) where field != "_name" { try config.set(field, inner.description) }
            } else {
                try config.set(name, value.description)
            }
        }
        return config
    }
}
