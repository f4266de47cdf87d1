import CArchive
import Foundation

// libarchive's AE_IF* macros carry casts that Swift does not import.
private let fileTypeRegular: UInt32 = 0o100000
private let fileTypeDirectory: UInt32 = 0o040000
private let fileTypeSymlink: UInt32 = 0o120000

/// Extracts an archive (tar, tar.gz, …) with libarchive, refusing anything that could write outside
/// the destination: absolute paths, `..` components, and links of any kind.
public enum ArchiveExtractor {
    /// Extracts every regular file and directory of `archive` under `destination` (created if needed).
    public static func extract(_ archive: String, to destination: String) throws {
        guard let reader = lm_archive_read_new() else {
            let reason = lm_archive_load_error().map { String(cString: $0) } ?? "cannot initialise libarchive"
            throw DatasetError("extracting archives needs libarchive (Debian's libarchive13): \(reason)")
        }
        defer { lm_archive_read_free(reader) }
        lm_archive_read_support_filter_all(reader)
        lm_archive_read_support_format_all(reader)
        guard lm_archive_read_open_filename(reader, archive, 1 << 16) == ARCHIVE_OK else {
            throw DatasetError("cannot open archive \(archive): \(message(reader))")
        }
        try FileReader.makeDirectory(destination)
        var entry: OpaquePointer?
        while true {
            let status = lm_archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw DatasetError("archive \(archive) is damaged or truncated: \(message(reader))")
            }
            let name = lm_archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let relative = try safeRelativePath(name)
            let target = destination + "/" + relative
            switch lm_archive_entry_filetype(entry) {
            case fileTypeDirectory:
                try FileReader.makeDirectory(target)
            case fileTypeRegular:
                if lm_archive_entry_hardlink(entry) != nil { throw DatasetError.unsafeEntry(name, "it is a hard link; links are refused") }
                try write(reader, to: target, archive: archive)
            case fileTypeSymlink:
                throw DatasetError.unsafeEntry(name, "it is a symbolic link; links are refused")
            default:
                throw DatasetError.unsafeEntry(name, "it is neither a regular file nor a directory")
            }
        }
    }

    /// The entry's path, relative and without `.` components; throws for anything that escapes.
    static func safeRelativePath(_ name: String) throws -> String {
        if name.hasPrefix("/") { throw DatasetError.unsafeEntry(name, "it is an absolute path") }
        let parts = name.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw DatasetError.unsafeEntry(name, "it climbs out of the destination with '..'") }
        guard !parts.isEmpty else { throw DatasetError.unsafeEntry(name, "it has an empty path") }
        return parts.joined(separator: "/")
    }

    private static func write(_ reader: OpaquePointer, to target: String, archive: String) throws {
        try FileReader.makeDirectory((target as NSString).deletingLastPathComponent)
        let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw DatasetError("cannot write \(target): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var buffer: UnsafeRawPointer?
        var size = 0
        var offset: la_int64_t = 0
        while true {
            let status = lm_archive_read_data_block(reader, &buffer, &size, &offset)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw DatasetError("archive \(archive) is damaged or truncated: \(message(reader))")
            }
            guard let buffer, size > 0 else { continue }
            guard pwrite(fd, buffer, size, off_t(offset)) == size else {
                throw DatasetError("cannot write \(target): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func message(_ reader: OpaquePointer) -> String {
        lm_archive_error_string(reader).map { String(cString: $0) } ?? "unknown error"
    }
}
