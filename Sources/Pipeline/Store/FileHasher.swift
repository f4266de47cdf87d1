import Crypto
import SystemIO

/// Hashes files and directory trees, remembering each file's hash by (device, inode, size, mtime)
/// so that an unchanged file is never read twice.
///
/// A file modified within ``racyWindowNanoseconds`` of being hashed could change again without its
/// mtime moving (timestamps are coarse), so such a hash is re-checked next time, as git does.
public final class FileHasher: @unchecked Sendable {
    /// Hashes younger than this, relative to the file's mtime, are verified again before being trusted.
    public static let racyWindowNanoseconds: Int64 = 20_000_000

    private let fs: any FileSystem
    private let clock: any Clock
    private let state: Locked<(known: [String: FileHashEntry]?, fresh: [String: FileHashEntry])>
    private let loadKnown: @Sendable () throws -> [String: FileHashEntry]

    /// - Parameter known: the remembered hashes, read on first use (a no-op run may need none).
    public init(fileSystem: any FileSystem, clock: any Clock,
                known: @escaping @Sendable () throws -> [String: FileHashEntry]) {
        fs = fileSystem
        self.clock = clock
        loadKnown = known
        state = Locked((nil, [:]))
    }

    /// The content of a file or directory tree at an absolute path; nil when nothing is there.
    ///
    /// A dependency is read through links (`followingLinks`), as a command reads it; an output is
    /// taken as it is, so that a link there is kept as a link. Links inside a folder are never followed.
    public func contentID(of path: String, followingLinks: Bool = true) throws -> ContentID? {
        guard let stat = followingLinks ? fs.stat(path) : fs.linkStatus(path) else { return nil }
        switch stat.kind {
        case .file: return try fileID(path, stat)
        case .directory:
            return ContentID(digest: SHA256Hex.of(TreeListing(try tree(of: path)).encoded), kind: .directory)
        case .symbolicLink: return try linkID(path)
        case .other: throw FileSystemError(path: path, reason: "is neither a regular file, a directory nor a symbolic link")
        }
    }

    /// The files and links under a directory, recursively, as (relative path, content) sorted by path.
    /// A link is an entry of its own, never followed: it could lead out of the workspace, or around in a circle.
    public func tree(of directory: String) throws -> [(path: String, id: ContentID)] {
        var result: [(String, ContentID)] = []
        func walk(_ relative: String) throws {
            let absolute = relative.isEmpty ? directory : directory + "/" + relative
            for name in try fs.contentsOfDirectory(absolute) {
                let child = relative.isEmpty ? name : relative + "/" + name
                let childPath = directory + "/" + child
                guard let own = fs.linkStatus(childPath) else { continue }
                switch own.kind {
                case .file: result.append((child, try fileID(childPath, own)))
                case .directory: try walk(child)
                case .symbolicLink: result.append((child, try linkID(childPath)))
                case .other: throw FileSystemError(path: childPath, reason: "is neither a regular file, a directory nor a symbolic link")
                }
            }
        }
        try walk("")
        return result
    }

    /// A link's content is the path it holds.
    private func linkID(_ path: String) throws -> ContentID {
        ContentID(digest: SHA256Hex.of(bytes: Array(try fs.readLink(path).utf8)), kind: .link)
    }

    /// Hashes learnt since the last call, to be saved with the next record.
    public func takeFreshEntries() -> [FileHashEntry] {
        state.withLock { s in
            let fresh = Array(s.fresh.values)
            s.fresh.removeAll()
            return fresh
        }
    }

    private func remembered(_ path: String) throws -> FileHashEntry? {
        try state.withLock { s in
            if s.known == nil { s.known = try loadKnown() }
            return s.known?[path]
        }
    }

    private func fileID(_ path: String, _ stat: FileStat) throws -> ContentID {
        let kind: ContentID.Kind = stat.isExecutable ? .executable : .file
        if let known = try remembered(path), known.stat == stat,
           known.hashedAtNanoseconds - stat.mtimeNanoseconds > FileHasher.racyWindowNanoseconds {
            return ContentID(digest: known.id.digest, kind: kind)
        }
        var hasher = SHA256()
        try fs.readChunks(path) { hasher.update(bufferPointer: $0) }
        let id = ContentID(digest: SHA256Hex.hex(hasher.finalize()), kind: kind)
        let entry = FileHashEntry(path: path, stat: stat, hashedAtNanoseconds: Int64(clock.now() * 1e9), id: id)
        state.withLock { s in
            if s.known?[path] != entry {
                s.known?[path] = entry
                s.fresh[path] = entry
            }
        }
        return id
    }
}

/// A directory's content as text, one `ID<TAB>PATH` line per file: hashed to identify the tree,
/// and kept in the artifact store to restore it.
public struct TreeListing: Sendable {
    public var files: [(path: String, id: ContentID)]

    public init(_ files: [(path: String, id: ContentID)]) { self.files = files }

    public var encoded: String { ContentMap(files.map { ($0.path, $0.id) }).encoded }

    public init(encoded: String) {
        files = ContentMap(encoded: encoded).entries.compactMap { e in e.id.map { (e.path, $0) } }
    }

    /// The first path that would not stay inside the folder it is restored to: empty, absolute,
    /// with a `.` or `..` component, or under a path that is a link; nil when every path is safe.
    public var unsafePath: String? {
        let links = Set(files.filter { $0.id.kind == .link }.map(\.path))
        return files.first { file in
            let components = file.path.split(separator: "/", omittingEmptySubsequences: false)
            return file.path.isEmpty || file.path.hasPrefix("/")
                || components.contains { $0.isEmpty || $0 == "." || $0 == ".." }
                || components.indices.dropLast().contains { links.contains(components[...$0].joined(separator: "/")) }
        }?.path
    }
}
