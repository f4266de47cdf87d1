import Crypto
import Datasets
import Foundation
import Pipeline
import SystemIO

/// The images that training stages and trials use, as a dataset stage's output folder describes
/// them: its training subset, the images it held out for validation, and the test set.
struct LabDataset: Sendable {
    let classNames: [String]
    let train: LabeledImages
    /// What trials are scored on: the held-out validation images, or the test set when none were held out.
    let evaluation: LabeledImages
    let test: LabeledImages
    /// Whether `evaluation` is a validation split rather than the test set.
    let evaluatesOnValidation: Bool
    /// SHA-256 of the folder's description and index lists: part of every trial's key.
    let digest: String

    /// Reads `folder/dataset.json` and the index lists, and loads the images from the dataset cache
    /// (fetching them again only if the cache was cleared).
    static func open(folder: String, fileSystem: any FileSystem, log: (String) -> Void = { _ in }) throws -> LabDataset {
        let (description, trainList, validationList) = try descriptionFiles(folder: folder, fileSystem: fileSystem)
        let summary: DatasetSummary
        do {
            summary = try StageFileCoding.decoder.decode(DatasetSummary.self, from: description)
        } catch let error as DecodingError {
            throw StageFailure("\(folder)/dataset.json is not what a dataset stage writes: \(StageFileCoding.describe(error)); rerun that stage")
        }
        let data = try DatasetFolder.images(summary, folder: folder, log: log)
        func indices(_ list: Data) -> [Int] { String(decoding: list, as: UTF8.self).split(separator: "\n").compactMap { Int($0) } }
        let trainIndices = indices(trainList), validationIndices = indices(validationList)
        if let bad = (trainIndices + validationIndices).first(where: { $0 < 0 || $0 >= data.train.count }) {
            throw StageFailure("\(folder): index \(bad) is past the \(data.train.count) training images; rerun the dataset stage")
        }
        let validation = data.train.subset(validationIndices)
        return LabDataset(classNames: data.classNames, train: data.train.subset(trainIndices),
                          evaluation: validationIndices.isEmpty ? data.test : validation, test: data.test,
                          evaluatesOnValidation: !validationIndices.isEmpty,
                          digest: digest(of: [description, trainList, validationList]))
    }

    /// The digest ``open(folder:fileSystem:log:)`` gives the folder, from its three small files alone,
    /// without loading any image: what keys trials that run elsewhere (a Slurm job opens the dataset itself).
    static func digest(folder: String, fileSystem: any FileSystem) throws -> String {
        let (description, trainList, validationList) = try descriptionFiles(folder: folder, fileSystem: fileSystem)
        return digest(of: [description, trainList, validationList])
    }

    /// `dataset.json` and the two index lists of a dataset stage's folder.
    private static func descriptionFiles(folder: String, fileSystem: any FileSystem) throws -> (Data, Data, Data) {
        func read(_ name: String) throws -> Data {
            guard let data = (try? fileSystem.readFile(folder + "/" + name)).map({ Data($0) }) else {
                throw StageFailure("cannot read \(folder)/\(name): is '\(folder)' the output of a dataset stage (cifar10, mnist, fashion-mnist, kmnist)?")
            }
            return data
        }
        return (try read("dataset.json"), try read("train.indices"), try read("validation.indices"))
    }

    private static func digest(of parts: [Data]) -> String {
        var hasher = SHA256()
        for part in parts { hasher.update(data: part) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
