import CArchive
import Crypto
import Foundation

/// The shared digits packed as an MNIST-style IDX dataset: each image's ink plane (R) cropped by two
/// pixels a side to 28×28, in four gzip-compressed files, as the IDX stages fetch them.
public enum TestIDX {
    /// File name → gzip-compressed bytes, for the four files.
    public static func digits() throws -> [String: [UInt8]] {
        var train: [(UInt8, [UInt8])] = [], test: [(UInt8, [UInt8])] = []
        for (name, bytes) in try entries(of: TestArchives.digitsBytes()) where name.hasSuffix(".bin") {
            for r in 0..<(bytes.count / 3073) {
                let record = bytes[(r * 3073)..<((r + 1) * 3073)]
                let red = Array(record.dropFirst().prefix(1024))
                var image: [UInt8] = []
                for y in 2..<30 { image += red[(y * 32 + 2)..<(y * 32 + 30)] }
                if name.hasSuffix("test_batch.bin") { test.append((record.first!, image)) } else { train.append((record.first!, image)) }
            }
        }
        func images(_ set: [(UInt8, [UInt8])]) -> [UInt8] { idx([set.count, 28, 28], set.flatMap(\.1)) }
        func labels(_ set: [(UInt8, [UInt8])]) -> [UInt8] { idx([set.count], set.map(\.0)) }
        return ["train-images-idx3-ubyte.gz": try gzip(images(train)), "train-labels-idx1-ubyte.gz": try gzip(labels(train)),
                "t10k-images-idx3-ubyte.gz": try gzip(images(test)), "t10k-labels-idx1-ubyte.gz": try gzip(labels(test))]
    }

    /// An IDX file of unsigned bytes.
    public static func idx(_ dimensions: [Int], _ values: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return bytes + values
    }

    /// `bytes` compressed with gzip.
    public static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let path = NSTemporaryDirectory() + "labmake-gzip-\(UUID().uuidString).gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = archive_write_new()
        archive_write_add_filter_gzip(writer)
        archive_write_set_format_raw(writer)
        archive_write_open_filename(writer, path)
        let entry = archive_entry_new()
        archive_entry_set_pathname(entry, "data")
        archive_entry_set_filetype(entry, 0o100000)
        archive_entry_set_size(entry, la_int64_t(bytes.count))
        archive_write_header(writer, entry)
        _ = bytes.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, $0.count) }
        archive_entry_free(entry)
        archive_write_close(writer)
        archive_write_free(writer)
        guard let data = FileManager.default.contents(atPath: path) else { throw TestServerError("could not gzip \(bytes.count) bytes") }
        return Array(data)
    }

    /// The SHA-256 of `bytes`, in hex.
    public static func sha256(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// The regular files of a tar.gz archive, by name.
    static func entries(of archive: [UInt8]) throws -> [(String, [UInt8])] {
        let reader = archive_read_new()
        defer { archive_read_free(reader) }
        archive_read_support_filter_all(reader)
        archive_read_support_format_all(reader)
        return try archive.withUnsafeBytes { raw -> [(String, [UInt8])] in
            guard archive_read_open_memory(reader, raw.baseAddress, raw.count) == ARCHIVE_OK else { throw TestServerError("cannot read the digits archive") }
            var result: [(String, [UInt8])] = []
            var entry: OpaquePointer?
            while archive_read_next_header(reader, &entry) == ARCHIVE_OK {
                let name = String(cString: archive_entry_pathname(entry))
                var bytes = [UInt8](repeating: 0, count: Int(archive_entry_size(entry)))
                var filled = 0
                while filled < bytes.count {
                    let n = bytes.withUnsafeMutableBytes { archive_read_data(reader, $0.baseAddress! + filled, $0.count - filled) }
                    guard n > 0 else { throw TestServerError("the digits archive is truncated at \(name)") }
                    filled += n
                }
                result.append((name, bytes))
            }
            return result
        }
    }
}
