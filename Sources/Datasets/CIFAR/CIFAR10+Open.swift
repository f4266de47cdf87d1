import Foundation

extension CIFAR10 {
    /// CIFAR-10 (or a set packed like it) from a binary archive or its extracted folder. An archive is
    /// extracted once into `cache`, keyed by its SHA-256, and reused by later runs.
    public static func open(_ path: String, cache: DatasetCache = DatasetCache(), log: (String) -> Void = { _ in }) throws -> CIFAR10 {
        guard FileReader.exists(path) else {
            throw DatasetError("\(path) does not exist: give a CIFAR-10 binary archive (cifar-10-binary.tar.gz) or its extracted folder")
        }
        if FileReader.isDirectory(path) { return try load(from: path) }
        let checksum = Checksum.sha256(try Checksum.sha256("").compute(path))
        let folder = try cache.fetch(DatasetSource(location: path, checksum: checksum, maximumExtractedBytes: maximumExtractedBytes), validate: { _ = try load(from: $0, pixels: false) },
                                     log: log)
        return try load(from: folder)
    }
}
