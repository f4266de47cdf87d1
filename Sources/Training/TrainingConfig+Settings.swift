import NN
import SystemIO

/// The optimizers a training run can use.
public enum OptimizerKind: String, Codable, Sendable, CaseIterable {
    case sgd, adam, adamw, rmsprop
}

/// How the learning rate moves: `constant`, `cosine` (per step from initial_lr to ending_lr), `step`
/// (× gamma every step_size epochs).
public enum ScheduleKind: String, Codable, Sendable, CaseIterable {
    case constant, cosine, step
}

/// One setting of ``TrainingConfig`` as `--set NAME=VALUE` and the tuner's parameters name it: what it
/// expects, how its text is read into the config, and how it reads back as text.
struct TrainingSetting: Sendable {
    let name: String
    let expects: String
    let apply: @Sendable (inout TrainingConfig, String) throws(TrainingError) -> Void
    let text: @Sendable (TrainingConfig) -> String?

    static func number(_ name: String, _ field: any WritableKeyPath<TrainingConfig, Float> & Sendable, _ expects: String,
                       _ ok: @escaping @Sendable (Float) -> Bool) -> Self {
        Self(name: name, expects: expects, apply: { (config, text) throws(TrainingError) in
            guard let v = Float(text), v.isFinite, ok(v) else { throw failure(name, text, expects) }
            config[keyPath: field] = v
        }, text: { "\($0[keyPath: field])" })
    }

    static func whole(_ name: String, _ field: any WritableKeyPath<TrainingConfig, Int> & Sendable, minimum: Int) -> Self {
        let expects = "a whole number ≥ \(minimum)"
        return Self(name: name, expects: expects, apply: { (config, text) throws(TrainingError) in
            config[keyPath: field] = try wholeNumber(text, minimum: minimum, name: name, expects: expects)
        }, text: { "\($0[keyPath: field])" })
    }

    /// A setting that is unset (nil: the default the doc comment of its field names) until given.
    static func optionalWhole(_ name: String, _ field: any WritableKeyPath<TrainingConfig, Int?> & Sendable, minimum: Int,
                              maximum: Int) -> Self {
        let expects = "a whole number from \(minimum) to \(maximum)"
        return Self(name: name, expects: expects, apply: { (config, text) throws(TrainingError) in
            let value = try wholeNumber(text, minimum: minimum, name: name, expects: expects)
            guard value <= maximum else { throw failure(name, text, expects) }
            config[keyPath: field] = value
        }, text: { $0[keyPath: field].map { "\($0)" } })
    }

    static func flag(_ name: String, _ field: any WritableKeyPath<TrainingConfig, Bool> & Sendable) -> Self {
        Self(name: name, expects: "true or false", apply: { (config, text) throws(TrainingError) in
            config[keyPath: field] = try truth(name, text)
        }, text: { "\($0[keyPath: field])" })
    }

    static func optionalFlag(_ name: String, _ field: any WritableKeyPath<TrainingConfig, Bool?> & Sendable) -> Self {
        Self(name: name, expects: "true or false", apply: { (config, text) throws(TrainingError) in
            config[keyPath: field] = try truth(name, text)
        }, text: { $0[keyPath: field].map { "\($0)" } })
    }

    private static func truth(_ name: String, _ text: String) throws(TrainingError) -> Bool {
        switch text.lowercased() {
        case "true", "yes", "1": return true
        case "false", "no", "0": return false
        default: throw failure(name, text, "true or false")
        }
    }

    static func choice<Choice: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ field: any WritableKeyPath<TrainingConfig, Choice> & Sendable
    ) -> Self where Choice.RawValue == String {
        let names = Choice.allCases.map(\.rawValue)
        let expects = names.dropLast().joined(separator: ", ") + " or " + (names.last ?? "")
        return Self(name: name, expects: expects, apply: { (config, text) throws(TrainingError) in
            guard let choice = Choice(rawValue: text.lowercased()) else {
                let hint = NearestName.hint(text, among: names).map { "; \($0)" } ?? ""
                throw TrainingError("\(name)=\(text): \(name) expects \(expects)\(hint)")
            }
            config[keyPath: field] = choice
        }, text: { $0[keyPath: field].rawValue })
    }

    static func failure(_ name: String, _ text: String, _ expects: String) -> TrainingError {
        TrainingError("\(name)=\(text): \(name) expects \(expects)")
    }

    static func wholeNumber(_ text: String, minimum: Int, name: String, expects: String) throws(TrainingError) -> Int {
        guard let v = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }), v >= minimum else {
            throw failure(name, text, expects)
        }
        return v
    }
}

extension TrainingConfig {
    /// Every setting, in the order `--help` lists them.
    static let table: [TrainingSetting] = [
        TrainingSetting(name: "model", expects: "a model name", apply: { (config, text) throws(TrainingError) in
            guard ModelZoo.names.contains(text) else {
                let hint = NearestName.hint(text, among: ModelZoo.names).map { "; \($0)" } ?? ""
                throw TrainingError("unknown model '\(text)'\(hint) (models: \(ModelZoo.names.joined(separator: ", ")))")
            }
            config.model = text
        }, text: { $0.model }),
        .whole("epochs", \.epochs, minimum: 1),
        .whole("batch_size", \.batchSize, minimum: 1),
        .choice("optimizer", \.optimizer),
        .number("momentum", \.momentum, "a number in [0, 1)") { $0 >= 0 && $0 < 1 },
        .flag("nesterov", \.nesterov),
        .number("weight_decay", \.weightDecay, "a number ≥ 0") { $0 >= 0 },
        .number("initial_lr", \.initialLR, "a number > 0") { $0 > 0 },
        .choice("schedule", \.schedule),
        .number("ending_lr", \.endingLR, "a number ≥ 0") { $0 >= 0 },
        .whole("step_size", \.stepSize, minimum: 1),
        .number("gamma", \.gamma, "a number > 0") { $0 > 0 },
        .number("warmup_epochs", \.warmupEpochs, "a number ≥ 0") { $0 >= 0 },
        .number("grad_clip", \.gradClip, "a number ≥ 0 (0 is off)") { $0 >= 0 },
        .whole("cutout", \.cutout, minimum: 0),
        .flag("augment", \.augment),
        .number("label_smoothing", \.labelSmoothing, "a number in [0, 1)") { $0 >= 0 && $0 < 1 },
        .number("dropout", \.dropout, "a number in [0, 1)") { $0 >= 0 && $0 < 1 },
        .optionalWhole("hidden_size1", \.hiddenSize1, minimum: 1, maximum: 16_384),
        .optionalWhole("hidden_size2", \.hiddenSize2, minimum: 1, maximum: 16_384),
        .optionalFlag("normalize", \.normalize),
        TrainingSetting(name: "seed", expects: "a whole number ≥ 0", apply: { (config, text) throws(TrainingError) in
            config.seed = UInt64(try TrainingSetting.wholeNumber(text, minimum: 0, name: "seed", expects: "a whole number ≥ 0"))
        }, text: { "\($0.seed)" }),
        TrainingSetting(name: "train_subset", expects: "a whole number ≥ 1", apply: { (config, text) throws(TrainingError) in
            config.trainSubset = try TrainingSetting.wholeNumber(text, minimum: 1, name: "train_subset", expects: "a whole number ≥ 1")
        }, text: { $0.trainSubset.map { "\($0)" } }),
        .whole("validation", \.validation, minimum: 0),
    ]
}
