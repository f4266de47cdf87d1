import Datasets
import Foundation
import Pipeline
import SystemIO

/// What every dataset stage writes into its output folder — `dataset.json` (``DatasetSummary``) and the
/// split's index lists `train.indices` and `validation.indices` — and how a training stage finds the
/// images again from it.
enum DatasetFolder {
    /// The images, labels only, of a fetched dataset.
    struct Labels {
        var classNames: [String]
        var train: [UInt8]
        var test: [UInt8]
        var shape: ImageShape
    }

    /// Splits the training images (a seeded, class-stratified subset and a held-out validation split) and
    /// writes the folder `out`; returns the line the stage prints.
    static func write(_ labels: Labels, dataset: String, source: String, checksum: Checksum?, files: [DatasetSummary.File]?,
                      trainSubset: Int?, validation: Int, seed: Int, to out: String, fileSystem: any FileSystem) throws -> String {
        let split = DatasetSplit.split(labels: labels.train, trainSubset: trainSubset, validation: validation,
                                       seed: UInt64(bitPattern: Int64(seed)))
        let classes = labels.classNames.count
        func summary(_ values: [UInt8]) -> DatasetSummary.Split {
            DatasetSummary.Split(count: values.count, perClass: LabeledImages(labels: values).countsPerClass(classes: classes))
        }
        let manifest = DatasetSummary(
            dataset: dataset, checksum: checksum?.description, source: source, files: files,
            imageShape: labels.shape == .cifar ? nil : labels.shape.description, classes: labels.classNames, seed: seed,
            train: summary(split.train.map { labels.train[$0] }), validation: summary(split.validation.map { labels.train[$0] }),
            test: summary(labels.test))
        try manifest.write(to: out, fileSystem: fileSystem)
        try fileSystem.writeText(out + "/train.indices", split.train.map { "\($0)\n" }.joined())
        try fileSystem.writeText(out + "/validation.indices", split.validation.map { "\($0)\n" }.joined())
        return "\(dataset): \(classes) classes of \(labels.shape) images; \(split.train.count) training, "
            + "\(split.validation.count) validation, \(labels.test.count) test images"
    }

    /// The dataset a folder's `dataset.json` describes, fetched again through the dataset cache if it was cleared.
    static func images(_ summary: DatasetSummary, folder: String, log: (String) -> Void) throws
        -> (classNames: [String], train: LabeledImages, test: LabeledImages) {
        let cache = DatasetCache(downloader: .configured)
        func checksum(_ text: String?) throws -> Checksum {
            guard let text, let checksum = Checksum(described: text), checksum.isWellFormed else {
                throw StageFailure("\(folder)/dataset.json: malformed checksum '\(text ?? "none")'; rerun the dataset stage")
            }
            return checksum
        }
        if let kind = IDXDataset(rawValue: summary.dataset) {
            guard let files = summary.files, files.count == IDXDataset.fileNames.count else {
                throw StageFailure("\(folder)/dataset.json names no \(IDXDataset.fileNames.count) files for \(kind.title); rerun the dataset stage")
            }
            let sources = try files.map { file in
                DatasetSource(location: file.source, checksum: try checksum(file.checksum), maximumExtractedBytes: IDXDataset.maximumFileBytes,
                              decompressedName: String(file.name.dropLast(file.name.hasSuffix(".gz") ? 3 : 0)))
            }
            let paths = try IDXDataset.fetch(sources, cache: cache, log: log)
            let data = try IDXDataset.load(from: paths, classes: summary.classes.count)
            return (summary.classes, data.train, data.test)
        }
        guard summary.dataset == "cifar10" else {
            throw StageFailure("\(folder)/dataset.json describes '\(summary.dataset)', a dataset this labmake does not know")
        }
        let source = DatasetSource(location: summary.source, checksum: try checksum(summary.checksum),
                                   maximumExtractedBytes: CIFAR10.maximumExtractedBytes)
        let extracted = try cache.fetch(source, validate: { _ = try CIFAR10.load(from: $0, pixels: false) }, log: log)
        let data = try CIFAR10.load(from: extracted)
        return (data.classNames, data.train, data.test)
    }
}
