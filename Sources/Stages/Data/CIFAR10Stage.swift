import Datasets
import Foundation
import Pipeline
import SystemIO

/// The `cifar10` kind: fetches CIFAR-10 (binary version) into the per-user dataset cache, verifies
/// and reads it, and writes `STAGE/dataset.json` — source, checksum, class names, counts per class — with the
/// training and validation index lists (`train.indices`, `validation.indices`) that later stages use.
///
/// Options (`with:`): `url` (http, https or file; default: the official archive), `path` (a local
/// archive instead), `md5` or `sha256` (required with a `url` or `path` other than the official one),
/// `train_subset` (a seeded, class-stratified subset of the training images), `validation` (images held
/// out of training), `seed` (default: `settings.seed`).
public struct CIFAR10Stage: StageKind {
    public let name = "cifar10"
    public let version = "2"
    public var optionNames: [String]? { ["url", "path", "md5", "sha256", "train_subset", "validation", "seed"] }

    public init() {}

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        _ = CIFAR10Options(stage.with, problems: &problems)
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        let options = CIFAR10Options(stage.with, problems: &problems)
        guard problems.isEmpty else { throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; ")) }
        let source = options.source
        let cache = DatasetCache(downloader: .configured)
        let folder: String
        do {
            folder = try cache.fetch(source, validate: { _ = try CIFAR10.load(from: $0, pixels: false) }, log: context.output,
                                     progress: ProgressLines(output: context.output).report)
        } catch let error as DatasetError {
            throw StageFailure(Self.explain(error, stage: stage.name, source: source))
        }
        let data = try CIFAR10.load(from: folder, pixels: false)
        let out = context.workspaceRoot + "/" + PathRules.normalized(stage.outs.first ?? stage.name)
        let line = try DatasetFolder.write(
            DatasetFolder.Labels(classNames: data.classNames, train: data.train.labels, test: data.test.labels, shape: .cifar),
            dataset: "cifar10", source: source.location, checksum: source.checksum, files: nil, trainSubset: options.trainSubset,
            validation: options.validation, seed: options.seed ?? context.settings.seed, to: out, fileSystem: context.fileSystem)
        context.output(line)
    }

    /// The archive to fetch and its checksum, from the stage's options.
    public static func source(_ with: [String: ConfigValue]) -> DatasetSource {
        var ignored: [StageOptionProblem] = []
        return CIFAR10Options(with, problems: &ignored).source
    }

    /// A failure, with what to do when the network is not there.
    static func explain(_ error: DatasetError, stage: String, source: DatasetSource) -> String {
        guard isOffline(error) else { return error.message }
        return error.message + "\nNo network? Point the stage at a local copy of the archive: "
            + "--set \(stage).url=file:///path/to/cifar-10-binary.tar.gz (or --set \(stage).path=/path/to/cifar-10-binary.tar.gz)"
    }

    /// Whether a download failed for want of a network (no name resolution, no connection).
    public static func isOffline(_ error: DatasetError) -> Bool {
        ["Could not resolve", "Couldn't resolve", "Failed to connect", "Couldn't connect", "timed out"].contains(where: error.message.contains)
    }
}

/// Download progress as output lines: at most one a second, and the last.
final class ProgressLines: @unchecked Sendable {
    private let output: @Sendable (String) -> Void
    private let clock: any Clock
    private var last = -Double.infinity

    init(output: @escaping @Sendable (String) -> Void, clock: any Clock = SystemClock()) {
        self.output = output
        self.clock = clock
    }

    func report(_ p: DownloadProgress) {
        let done = p.total.map { p.received >= $0 } ?? false
        let now = clock.now()
        guard done || now - last >= 1 else { return }
        last = now
        output(DownloadProgressText.describe(p))
    }
}

/// "45.2 of 170.1 MB (26%), 12.3 MB/s, 9 s left".
public enum DownloadProgressText {
    public static func describe(_ p: DownloadProgress) -> String {
        func mb(_ bytes: Int64) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
        var text = "downloaded \(mb(p.received))"
        if let total = p.total, total > 0 {
            text += " of \(mb(total)) MB (\(Int(Double(p.received) * 100 / Double(total)))%)"
        } else {
            text += " MB"
        }
        text += String(format: ", %.1f MB/s", p.bytesPerSecond / 1e6)
        if let left = p.secondsLeft, left.isFinite { text += ", \(Int(left.rounded())) s left" }
        return text
    }
}
