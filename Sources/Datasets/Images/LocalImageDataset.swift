import Foundation

/// A labelled image dataset given by a local path, as `labmake train --data` and `labmake tune --data` take it:
/// a CIFAR-10 binary archive or its extracted folder, or a folder holding the four IDX files of an MNIST-like
/// set (compressed or not).
public struct LocalImageDataset: Sendable {
    public var classNames: [String]
    public var train: LabeledImages
    public var test: LabeledImages

    /// Reads the dataset at `path`; archives and compressed files are unpacked once into `cache`.
    public static func open(_ path: String, cache: DatasetCache = DatasetCache(), log: (String) -> Void = { _ in }) throws -> LocalImageDataset {
        guard FileReader.exists(path) else {
            throw DatasetError("\(path) does not exist: give a CIFAR-10 binary archive (cifar-10-binary.tar.gz) or its extracted folder, "
                               + "or a folder holding the four IDX files of an MNIST-style set (\(IDXDataset.fileNames.joined(separator: ", ")))")
        }
        if FileReader.isDirectory(path), let files = idxFiles(in: path) {
            let decompressed = try files.map { file -> String in
                guard file.hasSuffix(".gz") else { return file }
                let source = DatasetSource(location: file, checksum: Checksum.sha256(try Checksum.sha256("").compute(file)),
                                           maximumExtractedBytes: IDXDataset.maximumFileBytes,
                                           decompressedName: String((file as NSString).lastPathComponent.dropLast(3)))
                return try IDXDataset.fetch([source], cache: cache, log: log)[0]
            }
            let data = try IDXDataset.load(from: decompressed, classes: 256)
            let classes = Int((data.train.labels + data.test.labels).max() ?? 0) + 1
            return LocalImageDataset(classNames: (0..<classes).map(String.init), train: data.train, test: data.test)
        }
        let cifar = try CIFAR10.open(path, cache: cache, log: log)
        return LocalImageDataset(classNames: cifar.classNames, train: cifar.train, test: cifar.test)
    }

    /// The four IDX files in `folder` (each `.gz` or not), in ``IDXDataset/fileNames`` order, or nil.
    static func idxFiles(in folder: String) -> [String]? {
        var files: [String] = []
        for name in IDXDataset.fileNames {
            let compressed = folder + "/" + name, plain = folder + "/" + name.dropLast(3)
            if FileReader.exists(compressed) { files.append(compressed) } else if FileReader.exists(plain) { files.append(plain) } else { return nil }
        }
        return files
    }
}
