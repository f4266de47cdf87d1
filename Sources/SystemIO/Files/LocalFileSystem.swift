#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system, through POSIX calls.
public struct LocalFileSystem: FileSystem {
    /// Whether atomic writes flush file contents to disk before the rename (survives power loss,
    /// not only a killed process).
    public var durable: Bool
    /// The working directory with a trailing slash, taken once: paths under it are looked up relative
    /// to it, which spares the kernel walking the same leading folders for every file of a no-op run.
    /// labmake never changes its working directory.
    private let workingDirectory: String

    public init(durable: Bool = true) {
        self.durable = durable
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        workingDirectory = getcwd(&buffer, buffer.count).map { String(cString: $0) + "/" } ?? "\u{0}"
    }

    public func stat(_ path: String) -> FileStat? {
        let relative = path.utf8.count > workingDirectory.utf8.count && path.utf8.starts(with: workingDirectory.utf8)
            ? workingDirectory.utf8.count : 0
        guard let st = statusOf(path, skipping: relative) else { return nil }
        let type = st.st_mode & S_IFMT
        let kind: FileStat.Kind = type == S_IFREG ? .file : type == S_IFDIR ? .directory : .other
        return FileStat(
            kind: kind, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
            mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            isExecutable: st.st_mode & S_IXUSR != 0)
    }

    public func linkStatus(_ path: String) -> FileStat? {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else { return nil }
        guard st.st_mode & S_IFMT == S_IFLNK else { return stat(path) }
        return FileStat(kind: .symbolicLink, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                        mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec))
    }

    public func contentsOfDirectory(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw error(path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func readFile(_ path: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try readChunks(path) { bytes.append(contentsOf: $0) }
        return bytes
    }

    public func readFile(_ path: String, from offset: Int, maximumBytes: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path) }
        defer { close(fd) }
        // Sized by what the file holds past `offset`, not by the most asked for: a file polled for
        // what was appended costs what was appended.
        var status = Glibc.stat()
        guard fstat(fd, &status) == 0 else { throw error(path) }
        var bytes = [UInt8](repeating: 0, count: max(0, min(maximumBytes, Int(status.st_size) - offset)))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, $0.count - filled, off_t(offset + filled)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path)
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        return bytes
    }

    public func readChunks(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path) }
        defer { close(fd) }
        let size = 1 << 20
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, size)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path)
            }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    public func writeFile(_ path: String, _ bytes: [UInt8], executable: Bool) throws {
        try atomically(path, executable: executable) { fd in
            try bytes.withUnsafeBytes { try writeAll(fd, $0, path: path) }
        }
    }

    public func copyFile(from source: String, to destination: String, executable: Bool) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw error(source) }
        defer { close(input) }
        try atomically(destination, executable: executable) { output in
            // A reflink (btrfs, XFS) shares blocks and costs nothing; otherwise copy bytes.
            let ficlone: UInt = 0x4004_9409
            if ioctl(output, ficlone, input) == 0 { return }
            var failure: (any Error)?
            try readChunks(source) { chunk in
                guard failure == nil else { return }
                do { try writeAll(output, chunk, path: destination) } catch { failure = error }
            }
            if let failure { throw failure }
        }
    }

    public func createDirectory(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        switch errno {
        case EEXIST:
            if stat(path)?.kind == .directory { return }
            throw FileSystemError(path: path, reason: "exists and is not a directory")
        case ENOENT:
            try createDirectory(parent(of: path))
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw error(path) }
        default:
            throw error(path)
        }
    }

    public func removeItem(_ path: String) throws {
        var st = Glibc.stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return }
            throw error(path)
        }
        if st.st_mode & S_IFMT == S_IFDIR {
            for name in try contentsOfDirectory(path) { try removeItem(path + "/" + name) }
            if rmdir(path) != 0 && errno != ENOENT { throw error(path) }
        } else if unlink(path) != 0 && errno != ENOENT {
            throw error(path)
        }
    }

    public func readLink(_ path: String) throws -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n >= 0 else { throw error(path) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    public func createSymbolicLink(_ path: String, target: String) throws {
        try createDirectory(parent(of: path))
        let temp = temporaryName(for: path)
        guard symlink(target, temp) == 0 else { throw error(temp) }
        guard rename(temp, path) == 0 else {
            let failure = error(path)
            unlink(temp)
            throw failure
        }
    }

    public func removeAbandonedTemporaries(of path: String) {
        let folder = parent(of: path), prefix = String(path.dropFirst(folder == "/" ? 1 : folder.utf8.count + 1)) + ".tmp-"
        guard let names = try? contentsOfDirectory(folder) else { return }
        for name in names where name.hasPrefix(prefix) {
            // NAME.tmp-PID-RANDOM, as `temporaryName(for:)` spells it.
            let parts = name.dropFirst(prefix.count).split(separator: "-")
            guard parts.count == 2, let pid = pid_t(parts[0]), UInt32(parts[1]) != nil, pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + name) }
        }
    }

    // MARK: - Helpers

    private func temporaryName(for path: String) -> String {
        "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    private func atomically(_ path: String, executable: Bool, _ write: (Int32) throws -> Void) throws {
        try createDirectory(parent(of: path))
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, executable ? 0o755 : 0o644)
        guard fd >= 0 else { throw error(temp) }
        do {
            try write(fd)
            if durable && fsync(fd) != 0 { throw error(temp) }
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard rename(temp, path) == 0 else {
            let failure = error(path)
            unlink(temp)
            throw failure
        }
    }

    private func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw error(path)
            }
            offset += n
        }
    }

    private func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    private func error(_ path: String) -> FileSystemError {
        FileSystemError(path: path, reason: String(cString: strerror(errno)))
    }
}

/// `stat(2)`, following links, of `path` without its first `skipping` bytes; nil on failure.
private func statusOf(_ path: String, skipping: Int = 0) -> stat? {
    var st = stat()
    let ok = path.withCString { stat($0 + skipping, &st) == 0 }
    return ok ? st : nil
}
