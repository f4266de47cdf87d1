import Datasets
import Foundation
import Pipeline
import SystemIO

/// The `mnist`, `fashion-mnist` and `kmnist` kinds: fetch the dataset's four IDX files into the per-user
/// dataset cache, verify, decompress and read them, and write `STAGE/dataset.json` with the training and
/// validation index lists, as the `cifar10` kind does.
///
/// Options (`with:`): `url` (the folder the four files are in: http, https or file; default: the official
/// one), `path` (a local folder instead), `md5` or `sha256` (each file's name mapped to its digest; needed
/// only for files other than the official ones), `train_subset`, `validation`, `seed` (as for `cifar10`).
public struct IDXStage: StageKind {
    public let dataset: IDXDataset
    public var name: String { dataset.rawValue }
    public let version = "1"
    public var optionNames: [String]? { ["url", "path", "md5", "sha256", "train_subset", "validation", "seed"] }

    public init(_ dataset: IDXDataset) { self.dataset = dataset }

    public func defaultOutputs(stageName: String) -> [String] { [stageName] }

    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] {
        var problems: [StageOptionProblem] = []
        _ = IDXOptions(stage.with, dataset: dataset, problems: &problems)
        return problems
    }

    public func run(_ stage: StageDefinition, context: StageContext) throws {
        var problems: [StageOptionProblem] = []
        let options = IDXOptions(stage.with, dataset: dataset, problems: &problems)
        guard problems.isEmpty else { throw StageFailure(problems.map { "with.\($0.option): \($0.message)" }.joined(separator: "; ")) }
        let paths: [String]
        do {
            paths = try IDXDataset.fetch(options.sources, cache: DatasetCache(downloader: .configured), log: context.output,
                                         progress: ProgressLines(output: context.output).report)
        } catch let error as DatasetError {
            throw StageFailure(explain(error, pointAtFolder: "--set \(stage.name).path=/path/to/folder (or --set \(stage.name).url=file:///path/to/folder/)"))
        }
        let classNames = dataset.classNames
        let data: (train: LabeledImages, test: LabeledImages)
        do {
            data = try IDXDataset.load(from: paths, classes: classNames.count, pixels: false)
        } catch let error as DatasetError {
            throw StageFailure(error.message)
        }
        let files = zip(IDXDataset.fileNames, options.sources).map { name, source in
            DatasetSummary.File(name: name, source: source.location, checksum: source.checksum.description)
        }
        let out = context.workspaceRoot + "/" + PathRules.normalized(stage.outs.first ?? stage.name)
        let line = try DatasetFolder.write(
            DatasetFolder.Labels(classNames: classNames, train: data.train.labels, test: data.test.labels, shape: data.train.shape),
            dataset: dataset.rawValue, source: options.base, checksum: nil, files: files, trainSubset: options.trainSubset,
            validation: options.validation, seed: options.seed ?? context.settings.seed, to: out, fileSystem: context.fileSystem)
        context.output(line)
    }

    /// The four files to fetch and their checksums, from the options `with`; throws what is wrong with them.
    public func sources(_ with: [String: ConfigValue]) throws -> [DatasetSource] {
        var problems: [StageOptionProblem] = []
        let options = IDXOptions(with, dataset: dataset, problems: &problems)
        guard problems.isEmpty else { throw StageFailure(problems.map { "\($0.option): \($0.message)" }.joined(separator: "; ")) }
        return options.sources
    }

    /// A failure, with what to do when the network is not there (`pointAtFolder`: how to use a local folder) or the
    /// files are not the official ones.
    public func explain(_ error: DatasetError, pointAtFolder: String) -> String {
        if CIFAR10Stage.isOffline(error) {
            return error.message + "\nNo network? Put the four files (\(IDXDataset.fileNames.joined(separator: ", "))) in a folder and point "
                + "at it: \(pointAtFolder)"
        }
        if error.message.contains(", expected ") {
            return error.message + "\nFiles other than the official \(dataset.title) ones need their checksums: "
                + "with: { sha256: { train-images-idx3-ubyte.gz: …, … } }"
        }
        return error.message
    }
}
