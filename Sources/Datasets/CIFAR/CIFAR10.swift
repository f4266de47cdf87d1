import Foundation

/// The CIFAR-10 binary distribution, parsed: `data_batch_1..5.bin` (training), `test_batch.bin` and
/// `batches.meta.txt` (class names). Each record is one label byte and 3,072 pixel bytes; a file may
/// hold any whole number of records.
public struct CIFAR10: Sendable {
    public static let recordSize = 1 + ImageShape.cifar.bytes
    public static let trainingFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    public static let metaFile = "batches.meta.txt"
    public static let defaultURL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    public static let defaultChecksum = Checksum.md5("c32a1d4ab5d03f1284b67883e8d87530")
    /// What a CIFAR-10 binary archive may extract to: six batches of 10,000 records (184 MB), the
    /// class names and a readme, with room to spare.
    public static let maximumExtractedBytes: Int64 = 256 << 20

    public var classNames: [String]
    public var train: LabeledImages
    public var test: LabeledImages

    /// Reads the dataset from an extracted archive: `directory` or its `cifar-10-batches-bin/`.
    /// - Parameter pixels: false reads labels only (every record is still checked), for summaries.
    public static func load(from directory: String, pixels: Bool = true) throws -> CIFAR10 {
        let folder = FileReader.exists(directory + "/cifar-10-batches-bin") ? directory + "/cifar-10-batches-bin" : directory
        let metaPath = folder + "/" + metaFile
        guard let meta = try? String(contentsOfFile: metaPath, encoding: .utf8) else {
            throw DatasetError("\(metaPath) is missing: not a CIFAR-10 binary dataset")
        }
        let classNames = meta.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !classNames.isEmpty, classNames.count <= 256 else { throw DatasetError("\(metaPath) names no classes") }
        var train = LabeledImages()
        for file in trainingFiles { try readBatch(folder + "/" + file, classes: classNames.count, pixels: pixels, into: &train) }
        var test = LabeledImages()
        try readBatch(folder + "/" + testFile, classes: classNames.count, pixels: pixels, into: &test)
        return CIFAR10(classNames: classNames, train: train, test: test)
    }

    static func readBatch(_ path: String, classes: Int, pixels: Bool, into images: inout LabeledImages) throws {
        guard let size = FileReader.size(path) else { throw DatasetError("\(path) is missing: the archive is not a complete CIFAR-10 binary dataset") }
        guard size % Int64(recordSize) == 0 else {
            throw DatasetError("\(path) holds \(size) bytes, not a whole number of \(recordSize)-byte records (\(size / Int64(recordSize)) and \(size % Int64(recordSize)) bytes over): the file is damaged")
        }
        let data = Data(try FileReader.readFile(path))
        let records = data.count / recordSize
        if pixels { images.pixels.reserveCapacity(images.pixels.count + records * ImageShape.cifar.bytes) }
        try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            for r in 0..<records {
                let record = bytes[(r * recordSize)..<((r + 1) * recordSize)]
                let label = record[record.startIndex]
                guard Int(label) < classes else {
                    throw DatasetError("\(path): record \(r) has label \(label), but \(metaFile) names only \(classes) classes")
                }
                images.labels.append(label)
                if pixels { images.pixels.append(contentsOf: record.dropFirst()) }
            }
        }
    }
}
