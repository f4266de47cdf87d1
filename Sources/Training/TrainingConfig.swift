import Foundation
import NN

/// Every knob of a training run, with the lab's names (`initial_lr`, `weight_decay`…) and defaults.
public struct TrainingConfig: Sendable, Equatable, Codable {
    public var model = "resnet20"
    public var epochs = 10
    public var batchSize = 128
    public var optimizer = "sgd"
    /// SGD's and RMSprop's momentum; Adam's and AdamW's β₁.
    public var momentum: Float = 0.9
    public var nesterov = false
    public var weightDecay: Float = 5e-4
    public var initialLR: Float = 0.05
    /// `constant`, `cosine` (per step from initial_lr to ending_lr), `step` (× gamma every step_size epochs).
    public var schedule = "cosine"
    public var endingLR: Float = 0
    public var stepSize = 30
    public var gamma: Float = 0.1
    public var warmupEpochs: Float = 0
    /// Global L2 norm to clip gradients to; 0 is off.
    public var gradClip: Float = 0
    /// Side of the square cut out of each training image; 0 is off.
    public var cutout = 0
    /// Random 4-pixel-padded crops and horizontal flips.
    public var augment = true
    public var labelSmoothing: Float = 0
    public var dropout: Float = 0
    public var seed: UInt64 = 0
    /// Train on a class-stratified subset of this many images (nil: all).
    public var trainSubset: Int?
    /// Evaluate on this many images held out of the training set instead of the test set (0: test set).
    public var validation = 0

    public init() {}

    /// The names `--set` accepts, with what each expects.
    public static let settings: [(name: String, expects: String)] = [
        ("model", "a model name"), ("epochs", "a whole number ≥ 1"), ("batch_size", "a whole number ≥ 1"),
        ("optimizer", "sgd, adam, adamw or rmsprop"), ("momentum", "a number in [0, 1)"), ("nesterov", "true or false"),
        ("weight_decay", "a number ≥ 0"), ("initial_lr", "a number > 0"), ("schedule", "constant, cosine or step"),
        ("ending_lr", "a number ≥ 0"), ("step_size", "a whole number ≥ 1"), ("gamma", "a number > 0"),
        ("warmup_epochs", "a number ≥ 0"), ("grad_clip", "a number ≥ 0 (0 is off)"), ("cutout", "a whole number ≥ 0"),
        ("augment", "true or false"), ("label_smoothing", "a number in [0, 1)"), ("dropout", "a number in [0, 1)"),
        ("seed", "a whole number ≥ 0"), ("train_subset", "a whole number ≥ 1"), ("validation", "a whole number ≥ 0"),
    ]

    /// Sets `name` from its text, or throws saying what the setting expects.
    public mutating func set(_ name: String, _ text: String) throws(TrainingError) {
        let expects = Self.settings.first { $0.name == name }?.expects
        guard let expects else {
            let near = Self.settings.map(\.name).min { distance($0, name) < distance($1, name) }!
            throw TrainingError("unknown setting '\(name)'" + (distance(near, name) <= 3 ? "; did you mean '\(near)'?" : "")
                                + " (settings: \(Self.settings.map(\.name).joined(separator: ", ")))")
        }
        func fail() -> TrainingError { TrainingError("\(name)=\(text): \(name) expects \(expects)") }
        func number(_ ok: (Float) -> Bool) throws(TrainingError) -> Float {
            guard let v = Float(text), v.isFinite, ok(v) else { throw fail() }
            return v
        }
        func whole(_ minimum: Int) throws(TrainingError) -> Int {
            guard let v = Int(text) ?? Double(text).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }), v >= minimum else { throw fail() }
            return v
        }
        func flag() throws(TrainingError) -> Bool {
            switch text.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw fail()
            }
        }
        func choice(_ options: [String]) throws(TrainingError) -> String {
            guard options.contains(text.lowercased()) else { throw fail() }
            return text.lowercased()
        }
        switch name {
        case "model":
            guard ModelZoo.names.contains(text) else {
                let near = ModelZoo.names.min { distance($0, text) < distance($1, text) }!
                throw TrainingError("unknown model '\(text)'" + (distance(near, text) <= 3 ? "; did you mean '\(near)'?" : "")
                                    + " (models: \(ModelZoo.names.joined(separator: ", ")))")
            }
            model = text
        case "epochs": epochs = try whole(1)
        case "batch_size": batchSize = try whole(1)
        case "optimizer": optimizer = try choice(["sgd", "adam", "adamw", "rmsprop"])
        case "momentum": momentum = try number { $0 >= 0 && $0 < 1 }
        case "nesterov": nesterov = try flag()
        case "weight_decay": weightDecay = try number { $0 >= 0 }
        case "initial_lr": initialLR = try number { $0 > 0 }
        case "schedule": schedule = try choice(["constant", "cosine", "step"])
        case "ending_lr": endingLR = try number { $0 >= 0 }
        case "step_size": stepSize = try whole(1)
        case "gamma": gamma = try number { $0 > 0 }
        case "warmup_epochs": warmupEpochs = try number { $0 >= 0 }
        case "grad_clip": gradClip = try number { $0 >= 0 }
        case "cutout": cutout = try whole(0)
        case "augment": augment = try flag()
        case "label_smoothing": labelSmoothing = try number { $0 >= 0 && $0 < 1 }
        case "dropout": dropout = try number { $0 >= 0 && $0 < 1 }
        case "seed": seed = UInt64(try whole(0))
        case "train_subset": trainSubset = try whole(1)
        default: validation = try whole(0)
        }
    }

    /// Every setting as text, by name (for metrics files and reports).
    public var summary: [String: String] {
        var s: [String: String] = [
            "model": model, "epochs": "\(epochs)", "batch_size": "\(batchSize)", "optimizer": optimizer, "momentum": "\(momentum)",
            "nesterov": "\(nesterov)", "weight_decay": "\(weightDecay)", "initial_lr": "\(initialLR)", "schedule": schedule,
            "ending_lr": "\(endingLR)", "step_size": "\(stepSize)", "gamma": "\(gamma)", "warmup_epochs": "\(warmupEpochs)",
            "grad_clip": "\(gradClip)", "cutout": "\(cutout)", "augment": "\(augment)", "label_smoothing": "\(labelSmoothing)",
            "dropout": "\(dropout)", "seed": "\(seed)", "validation": "\(validation)",
        ]
        if let trainSubset { s["train_subset"] = "\(trainSubset)" }
        return s
    }
}

/// A training mistake or failure, said plainly.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

func distance(_ a: String, _ b: String) -> Int { ModelZoo.editDistance(a, b) }
