import Crypto
import SystemIO

/// The content-addressed store under `.labmake/store/`: every output labmake has recorded, by hash.
///
/// Files live at `objects/ab/cdef…` (their SHA-256); a symbolic link is an object holding the path it
/// points to, as git keeps one; a directory is a listing at `trees/<sha256>` that names its files' and
/// links' objects. Objects are written atomically and verified when restored, so a
/// damaged object is noticed and dropped rather than copied into the workspace.
public struct ArtifactStore: Sendable {
    public let root: String
    private let fs: any FileSystem

    public init(root: String, fileSystem: any FileSystem) {
        self.root = root
        fs = fileSystem
    }

    /// Copies the content at `path` (already hashed as `id`) into the store, unless it is there.
    public func save(_ path: String, as id: ContentID, hasher: FileHasher) throws {
        switch id.kind {
        case .file, .executable, .link:
            try saveObject(path, as: id)
        case .directory:
            let files = try hasher.tree(of: path)
            let listing = TreeListing(files)
            guard SHA256Hex.of(listing.encoded) == id.digest else {
                throw FileSystemError(path: path, reason: "changed while it was being stored")
            }
            for file in files { try saveObject(path + "/" + file.path, as: file.id) }
            if !fs.exists(treePath(id.digest)) { try fs.writeText(treePath(id.digest), listing.encoded) }
        }
    }

    /// Whether the store holds everything needed to restore `id`.
    public func contains(_ id: ContentID) -> Bool {
        switch id.kind {
        case .file, .executable, .link: return fs.exists(objectPath(id.digest))
        case .directory:
            guard let listing = try? TreeListing(encoded: fs.readText(treePath(id.digest))) else { return false }
            return listing.files.allSatisfy { fs.exists(objectPath($0.id.digest)) }
        }
    }

    /// Writes the content `id` at `path`, replacing whatever is there.
    public func restore(_ id: ContentID, to path: String) throws {
        switch id.kind {
        case .file, .executable, .link:
            try verify(id.digest)
            if fs.linkStatus(path)?.kind == .directory { try fs.removeItem(path) }
            // A run killed while restoring here left its temporary file beside `path`.
            fs.removeAbandonedTemporaries(of: path)
            try place(id, at: path)
        case .directory:
            let text = try fs.readText(treePath(id.digest))
            // A listing is named by its hash too: a damaged or foreign one is refused, never restored.
            guard SHA256Hex.of(text) == id.digest else {
                try? fs.removeItem(treePath(id.digest))
                throw FileSystemError(path: treePath(id.digest), reason: "tree listing is damaged (its content does not match its hash); it was removed")
            }
            let listing = TreeListing(encoded: text)
            if let unsafe = listing.unsafePath {
                throw FileSystemError(path: treePath(id.digest), reason: "tree listing names '\(unsafe)', which would land outside its folder")
            }
            for file in listing.files { try verify(file.id.digest) }
            try fs.removeItem(path)
            try fs.createDirectory(path)
            for file in listing.files { try place(file.id, at: path + "/" + file.path) }
        }
    }

    /// Deletes every object and tree not needed by `keep`; returns the files and bytes freed.
    public func collectGarbage(keeping keep: [ContentID]) throws -> (files: Int, bytes: Int64) {
        var liveObjects = Set<String>(), liveTrees = Set<String>()
        for id in keep {
            if id.kind == .directory {
                liveTrees.insert(id.digest)
                if let listing = try? TreeListing(encoded: fs.readText(treePath(id.digest))) {
                    for file in listing.files { liveObjects.insert(file.id.digest) }
                }
            } else {
                liveObjects.insert(id.digest)
            }
        }
        var files = 0, bytes: Int64 = 0
        func sweep(_ path: String, live: Bool) throws {
            guard !live else { return }
            bytes += fs.stat(path)?.size ?? 0
            files += 1
            try fs.removeItem(path)
        }
        let objects = root + "/objects"
        for prefix in (try? fs.contentsOfDirectory(objects)) ?? [] {
            for rest in try fs.contentsOfDirectory(objects + "/" + prefix) {
                try sweep(objects + "/" + prefix + "/" + rest, live: liveObjects.contains(prefix + rest))
            }
        }
        let trees = root + "/trees"
        for digest in (try? fs.contentsOfDirectory(trees)) ?? [] {
            try sweep(trees + "/" + digest, live: liveTrees.contains(digest))
        }
        return (files, bytes)
    }

    // MARK: - Layout

    private func objectPath(_ digest: String) -> String {
        "\(root)/objects/\(digest.prefix(2))/\(digest.dropFirst(2))"
    }

    private func treePath(_ digest: String) -> String { "\(root)/trees/\(digest)" }

    /// Copies a file's content, or the path a link holds, into the store, unless it is there.
    private func saveObject(_ path: String, as id: ContentID) throws {
        let object = objectPath(id.digest)
        guard !fs.exists(object) else { return }
        if id.kind == .link {
            try fs.writeText(object, try fs.readLink(path))
        } else {
            try fs.copyFile(from: path, to: object, executable: false)
        }
    }

    /// Writes a verified object at `path`: a copy of a file, or the link it holds.
    private func place(_ id: ContentID, at path: String) throws {
        if id.kind == .link {
            try fs.createSymbolicLink(path, target: try fs.readText(objectPath(id.digest)))
        } else {
            try fs.copyFile(from: objectPath(id.digest), to: path, executable: id.kind == .executable)
        }
    }

    /// Checks an object against its name; a damaged object is deleted and reported.
    private func verify(_ digest: String) throws {
        let object = objectPath(digest)
        var hasher = SHA256()
        try fs.readChunks(object) { hasher.update(bufferPointer: $0) }
        guard SHA256Hex.hex(hasher.finalize()) == digest else {
            try? fs.removeItem(object)
            throw FileSystemError(path: object, reason: "artifact is damaged (its content does not match its hash); it was removed")
        }
    }
}
