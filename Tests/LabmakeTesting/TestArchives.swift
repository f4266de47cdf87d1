import CArchive
import Foundation

/// Builds tar.gz archives for tests: CIFAR-10 layouts, and archives with entries a safe extractor must refuse.
public enum TestArchives {
    public enum Entry {
        case file(String, [UInt8])
        case directory(String)
        case symlink(String, target: String)
    }

    /// Writes `entries` as a gzip-compressed tar at `path`.
    public static func write(_ entries: [Entry], to path: String) {
        let writer = archive_write_new()
        archive_write_add_filter_gzip(writer)
        archive_write_set_format_pax_restricted(writer)
        archive_write_open_filename(writer, path)
        for item in entries {
            let entry = archive_entry_new()
            switch item {
            case .file(let name, let bytes):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_size(entry, la_int64_t(bytes.count))
                archive_entry_set_filetype(entry, 0o100000)
                archive_entry_set_perm(entry, 0o644)
                archive_write_header(writer, entry)
                _ = bytes.withUnsafeBytes { archive_write_data(writer, $0.baseAddress, $0.count) }
            case .directory(let name):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o040000)
                archive_entry_set_perm(entry, 0o755)
                archive_write_header(writer, entry)
            case .symlink(let name, let target):
                archive_entry_set_pathname(entry, name)
                archive_entry_set_filetype(entry, 0o120000)
                archive_entry_set_symlink(entry, target)
                archive_write_header(writer, entry)
            }
            archive_entry_free(entry)
        }
        archive_write_close(writer)
        archive_write_free(writer)
    }

    /// A CIFAR-10-layout archive with `records` images per batch (labels cycling through 3 classes).
    /// - Parameters:
    ///   - omit: a batch file to leave out.
    ///   - extraBytes: bytes appended to `data_batch_2.bin`, making it not a whole number of records.
    public static func cifar(records: Int = 6, omit: String? = nil, extraBytes: Int = 0) -> [Entry] {
        func batch(_ seed: Int) -> [UInt8] {
            (0..<records).flatMap { r -> [UInt8] in [UInt8((r + seed) % 3)] + [UInt8](repeating: UInt8((r * 7 + seed) % 256), count: 3072) }
        }
        var entries: [Entry] = [.directory("cifar-10-batches-bin/"), .file("cifar-10-batches-bin/batches.meta.txt", Array("cat\ndog\nfrog\n\n".utf8))]
        for k in 1...5 {
            var bytes = batch(k)
            if k == 2 { bytes += [UInt8](repeating: 0, count: extraBytes) }
            entries.append(.file("cifar-10-batches-bin/data_batch_\(k).bin", bytes))
        }
        entries.append(.file("cifar-10-batches-bin/test_batch.bin", batch(9)))
        return entries.filter {
            if case .file(let name, _) = $0, let omit { return !name.hasSuffix("/" + omit) }
            return true
        }
    }

    /// The shared digits dataset in CIFAR-10 binary layout: `shared/datasets/` in a folder above this
    /// file (beside the checkout, as in CI); empty if there is none (see ``digitsBytes()``).
    public static var digits: String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("shared/datasets/digits-cifar10-binary.tar.gz").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return ""
    }

    /// The digits archive's bytes, or an error saying where it was looked for.
    public static func digitsBytes() throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: digits) else {
            throw TestServerError("shared/datasets/digits-cifar10-binary.tar.gz not found in any folder above \(#filePath)")
        }
        return Array(data)
    }

    public static let digitsMD5 = "df1c9104a6f764bf44292c9e3372c3ad"
}
