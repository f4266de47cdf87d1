import Datasets
import Foundation
import NN
import SystemIO

/// Every knob of a training run, with the lab's names (`initial_lr`, `weight_decay`…) and defaults.
public struct TrainingConfig: Sendable, Equatable, Codable {
    public var model = "resnet20"
    public var epochs = 10
    public var batchSize = 128
    public var optimizer = OptimizerKind.sgd
    /// SGD's and RMSprop's momentum; Adam's and AdamW's β₁.
    public var momentum: Float = 0.9
    public var nesterov = false
    public var weightDecay: Float = 5e-4
    public var initialLR: Float = 0.05
    public var schedule = ScheduleKind.cosine
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
    /// The MLP's first and second hidden widths (nil: 512 and 256).
    public var hiddenSize1: Int?
    public var hiddenSize2: Int?
    /// Normalise each input channel to mean 0 and deviation 1 over the training images (nil: yes); false
    /// only scales pixels to [0, 1], as torchvision's `ToTensor` does.
    public var normalize: Bool?
    public var seed: UInt64 = 0
    /// Train on a class-stratified subset of this many images (nil: all).
    public var trainSubset: Int?
    /// Evaluate on this many images held out of the training set instead of the test set (0: test set).
    public var validation = 0

    public init() {}

    /// The model these settings ask for, for `images` and `classes`.
    public func modelRequest(images: ImageShape = .cifar, classes: Int) -> ModelRequest {
        ModelRequest(channels: images.channels, height: images.height, width: images.width, classes: classes, dropout: dropout,
                     hiddenSizes: [hiddenSize1 ?? ModelRequest.defaultHiddenSizes[0], hiddenSize2 ?? ModelRequest.defaultHiddenSizes[1]])
    }

    /// The names `--set` accepts, with what each expects.
    public static var settings: [(name: String, expects: String)] { table.map { ($0.name, $0.expects) } }

    /// Other names of settings, as NNI's examples and tutorials spell them: `lr` is `initial_lr`.
    public static let aliases = ["lr": "initial_lr"]

    /// Sets `name` (or an alias of it) from its text, or throws saying what the setting expects.
    public mutating func set(_ alias: String, _ text: String) throws(TrainingError) {
        let name = Self.aliases[alias] ?? alias
        guard let setting = Self.table.first(where: { $0.name == name }) else {
            let names = Self.table.map(\.name)
            let hint = NearestName.hint(name, among: names).map { "; \($0)" } ?? ""
            throw TrainingError("unknown setting '\(name)'\(hint) (settings: \(names.joined(separator: ", ")))")
        }
        try setting.apply(&self, text)
    }

    /// Every setting as text, by name (for metrics files and reports).
    public var summary: [String: String] {
        var s: [String: String] = [:]
        for setting in Self.table { if let text = setting.text(self) { s[setting.name] = text } }
        return s
    }
}

/// A training mistake or failure, said plainly.
public struct TrainingError: Error, CustomStringConvertible, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

