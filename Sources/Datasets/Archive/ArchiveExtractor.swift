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
    /// - Parameters:
    ///   - maximumBytes: the most the archive may extract to, counting each file's extent (so a sparse
    ///     entry counts at its full size); past it, extraction stops and throws.
    ///   - maximumEntries: the most files and folders it may hold.
    public static func extract(_ archive: String, to destination: String, maximumBytes: Int64 = 4 << 30,
                               maximumEntries: Int = 100_000) throws {
        var budget = ExtractionBudget(bytesLeft: maximumBytes, maximumBytes: maximumBytes, entriesLeft: maximumEntries, archive: archive)
        let reader = try openReader(archive, asArchive: true)
        defer { lm_archive_read_free(reader) }
        try FileReader.makeDirectory(destination)
        var entry: OpaquePointer?
        while true {
            let status = lm_archive_read_next_header(reader, &entry)
            if status == ARCHIVE_EOF { return }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN, let entry else {
                throw DatasetError("archive \(archive) is damaged or truncated: \(message(reader))")
            }
            let name = lm_archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            try budget.take(entry: name)
            let relative = try safeRelativePath(name)
            let target = destination + "/" + relative
            switch lm_archive_entry_filetype(entry) {
            case fileTypeDirectory:
                try FileReader.makeDirectory(target)
            case fileTypeRegular:
                if lm_archive_entry_hardlink(entry) != nil { throw DatasetError.unsafeEntry(name, "it is a hard link; links are refused") }
                try write(reader, to: target, archive: archive, budget: &budget)
            case fileTypeSymlink:
                throw DatasetError.unsafeEntry(name, "it is a symbolic link; links are refused")
            default:
                throw DatasetError.unsafeEntry(name, "it is neither a regular file nor a directory")
            }
        }
    }

    /// Decompresses one file (gzip, bzip2, xz…; an uncompressed file is copied) into `target`.
    /// - Parameter maximumBytes: the most it may decompress to; past it, decompression stops and throws.
    public static func decompress(_ file: String, to target: String, maximumBytes: Int64) throws {
        var budget = ExtractionBudget(bytesLeft: maximumBytes, maximumBytes: maximumBytes, entriesLeft: 1, archive: file)
        let reader = try openReader(file, asArchive: false)
        defer { lm_archive_read_free(reader) }
        var entry: OpaquePointer?
        let status = lm_archive_read_next_header(reader, &entry)
        guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
            throw DatasetError("\(file) is damaged or truncated: \(message(reader))")
        }
        try budget.take(entry: target)
        try write(reader, to: target, archive: file, budget: &budget)
    }

    /// A libarchive reader open on `path`, reading any compression and, as an archive, any archive format, else
    /// the file's (decompressed) bytes as one entry. The caller frees it.
    private static func openReader(_ path: String, asArchive: Bool) throws -> OpaquePointer {
        guard let reader = lm_archive_read_new() else {
            let reason = lm_archive_load_error().map { String(cString: $0) } ?? "cannot initialise libarchive"
            throw DatasetError("\(asArchive ? "extracting archives" : "decompressing files") needs libarchive (Debian's libarchive13): \(reason)")
        }
        lm_archive_read_support_filter_all(reader)
        if asArchive { lm_archive_read_support_format_all(reader) } else { lm_archive_read_support_format_raw(reader) }
        guard lm_archive_read_open_filename(reader, path, 1 << 16) == ARCHIVE_OK else {
            let reason = message(reader)
            lm_archive_read_free(reader)
            throw DatasetError("cannot open \(asArchive ? "archive " : "")\(path): \(reason)")
        }
        return reader
    }

    /// The entry's path, relative and without `.` components; throws for anything that escapes.
    static func safeRelativePath(_ name: String) throws -> String {
        if name.hasPrefix("/") { throw DatasetError.unsafeEntry(name, "it is an absolute path") }
        let parts = name.split(separator: "/").filter { $0 != "." }
        if parts.contains("..") { throw DatasetError.unsafeEntry(name, "it climbs out of the destination with '..'") }
        guard !parts.isEmpty else { throw DatasetError.unsafeEntry(name, "it has an empty path") }
        return parts.joined(separator: "/")
    }

    private static func write(_ reader: OpaquePointer, to target: String, archive: String, budget: inout ExtractionBudget) throws {
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
            try budget.take(extent: Int64(offset) + Int64(size), of: target)
            guard pwrite(fd, buffer, size, off_t(offset)) == size else {
                throw DatasetError("cannot write \(target): \(String(cString: strerror(errno)))")
            }
        }
    }

    private static func message(_ reader: OpaquePointer) -> String {
        lm_archive_error_string(reader).map { String(cString: $0) } ?? "unknown error"
    }
}

/// What an archive may still extract to; ``ArchiveExtractor`` stops at the first step past it.
struct ExtractionBudget {
    var bytesLeft: Int64
    let maximumBytes: Int64
    var entriesLeft: Int
    let archive: String
    /// The extent already counted for the file being written.
    private var counted: (file: String, extent: Int64) = ("", 0)

    init(bytesLeft: Int64, maximumBytes: Int64, entriesLeft: Int, archive: String) {
        self.bytesLeft = bytesLeft
        self.maximumBytes = maximumBytes
        self.entriesLeft = entriesLeft
        self.archive = archive
    }

    mutating func take(entry name: String) throws {
        entriesLeft -= 1
        guard entriesLeft >= 0 else { throw DatasetError("archive \(archive) holds more entries than the dataset may; refused (at '\(name)')") }
    }

    /// Counts a file growing to `extent` bytes.
    mutating func take(extent: Int64, of file: String) throws {
        if counted.file != file { counted = (file, 0) }
        guard extent > counted.extent else { return }
        bytesLeft -= extent - counted.extent
        counted.extent = extent
        guard bytesLeft >= 0 else {
            throw DatasetError("archive \(archive) expands to more than \(maximumBytes) bytes, more than the dataset may hold; "
                               + "refused before the disk fills (a damaged or hostile archive, or not this dataset's)")
        }
    }
}
