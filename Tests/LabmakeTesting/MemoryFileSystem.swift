import Pipeline
import SystemIO

/// A file system in memory, for fast executor tests without temporary directories (as ninja's
/// `VirtualFileSystem`). Every write gets a new inode and the fake clock's time as its mtime.
public final class MemoryFileSystem: FileSystem, @unchecked Sendable {
    private struct Node {
        var bytes: [UInt8]?  // nil for a directory
        var executable = false
        var inode: UInt64
        var mtime: Int64
    }

    private let state = Locked((nodes: ["/": Node(bytes: nil, inode: 1, mtime: 0)], nextInode: UInt64(2)))
    private let clock: FakeClock
    /// How many times each path was read in full or in chunks: to prove that hashes are cached.
    public let reads = Locked([String: Int]())

    public init(clock: FakeClock = FakeClock()) { self.clock = clock }

    public func stat(_ path: String) -> FileStat? {
        state.withLock { s in
            guard let node = s.nodes[path] else { return nil }
            return FileStat(kind: node.bytes == nil ? .directory : .file, device: 1, inode: node.inode,
                            size: Int64(node.bytes?.count ?? 0), mtimeNanoseconds: node.mtime,
                            isExecutable: node.executable)
        }
    }

    public func contentsOfDirectory(_ path: String) throws -> [String] {
        try state.withLock { s in
            guard let node = s.nodes[path], node.bytes == nil else {
                throw FileSystemError(path: path, reason: "Not a directory")
            }
            let prefix = path == "/" ? "/" : path + "/"
            return s.nodes.keys.filter { $0.hasPrefix(prefix) && $0 != path && !$0.dropFirst(prefix.count).contains("/") }
                .map { String($0.dropFirst(prefix.count)) }.sorted()
        }
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        reads.withLock { $0[path, default: 0] += 1 }
        return try state.withLock { s in
            guard let bytes = s.nodes[path]?.bytes else { throw FileSystemError(path: path, reason: "No such file") }
            return bytes
        }
    }

    public func readChunks(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let bytes = try readFile(path)
        bytes.withUnsafeBytes(body)
    }

    public func writeFile(_ path: String, _ bytes: [UInt8], executable: Bool) throws {
        try createDirectory(parent(path))
        let now = Int64(clock.now() * 1e9)
        state.withLock { s in
            s.nodes[path] = Node(bytes: bytes, executable: executable, inode: s.nextInode, mtime: now)
            s.nextInode += 1
        }
    }

    public func copyFile(from source: String, to destination: String, executable: Bool) throws {
        try writeFile(destination, try readFile(source), executable: executable)
    }

    public func createDirectory(_ path: String) throws {
        if path == "/" || path.isEmpty { return }
        try createDirectory(parent(path))
        try state.withLock { s in
            if let node = s.nodes[path] {
                if node.bytes != nil { throw FileSystemError(path: path, reason: "exists and is not a directory") }
                return
            }
            s.nodes[path] = Node(bytes: nil, inode: s.nextInode, mtime: 0)
            s.nextInode += 1
        }
    }

    public func removeItem(_ path: String) throws {
        state.withLock { s in
            for key in s.nodes.keys where key == path || key.hasPrefix(path + "/") { s.nodes[key] = nil }
        }
    }

    // MARK: - Test conveniences

    /// Writes UTF-8 text at `path`.
    public func write(_ path: String, _ text: String) { try! writeText(path, text) }

    /// The text at `path`, or nil.
    public func text(_ path: String) -> String? { try? readText(path) }

    /// Changes a file's mtime without changing its content, like `touch`.
    public func touch(_ path: String) {
        let now = Int64(clock.now() * 1e9)
        state.withLock { s in s.nodes[path]?.mtime = now }
    }

    private func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

/// A clock that moves only when told to (by default one second per reading, so that every write
/// has a distinct mtime far outside the racy-hash window).
public final class FakeClock: Clock, @unchecked Sendable {
    private let time: Locked<Double>
    private let step: Double

    public init(start: Double = 1_700_000_000, step: Double = 1) {
        time = Locked(start)
        self.step = step
    }

    public func now() -> Double {
        time.withLock { t in
            t += step
            return t
        }
    }
}
