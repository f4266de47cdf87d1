/// What `stat` says of a path: enough to tell, without reading it, whether a file changed.
public struct FileStat: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, directory, symbolicLink, other }

    public var kind: Kind
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtimeNanoseconds: Int64
    /// Whether the owner may execute it; kept when an artifact is restored.
    public var isExecutable: Bool

    public init(kind: Kind, device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0,
                mtimeNanoseconds: Int64 = 0, isExecutable: Bool = false) {
        self.kind = kind
        self.device = device
        self.inode = inode
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
        self.isExecutable = isExecutable
    }
}

/// The file operations labmake needs, on absolute paths; faked in memory by tests.
///
/// Writes are atomic: a reader sees the old content or the new, never a part.
public protocol FileSystem: Sendable {
    /// The status of `path`, following symbolic links; nil when nothing is there.
    func stat(_ path: String) -> FileStat?
    /// The status of `path` itself: kind ``FileStat/Kind/symbolicLink`` for a link, not what it points to.
    func linkStatus(_ path: String) -> FileStat?
    /// The names in a directory, sorted.
    func contentsOfDirectory(_ path: String) throws -> [String]
    /// The whole content of a file.
    func readFile(_ path: String) throws -> [UInt8]
    /// At most `maximumBytes` of a file from byte `offset` on (fewer at its end): for tailing a file
    /// that another process appends to.
    func readFile(_ path: String, from offset: Int, maximumBytes: Int) throws -> [UInt8]
    /// Calls `body` with successive pieces of a file's content: for hashing large files.
    func readChunks(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws
    /// Writes a file atomically (temporary file, flush to disk, rename), creating parent directories.
    func writeFile(_ path: String, _ bytes: [UInt8], executable: Bool) throws
    /// Copies a file atomically, creating parent directories.
    func copyFile(from source: String, to destination: String, executable: Bool) throws
    /// Creates a directory and its parents; succeeds if it exists.
    func createDirectory(_ path: String) throws
    /// Removes a file or a directory tree; succeeds if nothing is there.
    func removeItem(_ path: String) throws
    /// The path a symbolic link holds, as written (not resolved).
    func readLink(_ path: String) throws -> String
    /// Makes `path` a symbolic link holding `target`, atomically replacing a file or link there.
    func createSymbolicLink(_ path: String, target: String) throws
    /// Removes the temporary files that atomic writes of `path` left beside it when their process
    /// died before finishing (a run killed mid-restore); files of live processes are kept.
    func removeAbandonedTemporaries(of path: String)
}

extension FileSystem {
    /// A file system without links (a fake in memory): a path's own status is its status.
    public func linkStatus(_ path: String) -> FileStat? { stat(path) }

    /// A file system without links has none to read.
    public func readLink(_ path: String) throws -> String {
        throw FileSystemError(path: path, reason: "is not a symbolic link")
    }

    /// A file system without links cannot make one.
    public func createSymbolicLink(_ path: String, target: String) throws {
        throw FileSystemError(path: path, reason: "symbolic links are not supported by this file system")
    }

    /// A file system whose writes cannot be interrupted leaves no temporary files.
    public func removeAbandonedTemporaries(of path: String) {}

    /// Reads the whole file and keeps the range: for fakes in memory.
    public func readFile(_ path: String, from offset: Int, maximumBytes: Int) throws -> [UInt8] {
        let bytes = try readFile(path)
        guard offset < bytes.count else { return [] }
        return Array(bytes[offset..<min(bytes.count, offset + maximumBytes)])
    }

    /// Whether anything exists at `path`.
    public func exists(_ path: String) -> Bool { stat(path) != nil }

    /// Writes a non-executable file atomically.
    public func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        try writeFile(path, bytes, executable: false)
    }

    /// Writes UTF-8 text atomically.
    public func writeText(_ path: String, _ text: String) throws {
        try writeFile(path, Array(text.utf8), executable: false)
    }

    /// Reads a file as UTF-8 text.
    public func readText(_ path: String) throws -> String {
        String(decoding: try readFile(path), as: UTF8.self)
    }
}

/// A file operation that failed, with the path and the system's reason.
public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
