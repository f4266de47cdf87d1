import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` held while a process sets up shared state (the database's tables), so that
/// processes starting at the same moment take turns; released by the kernel if the holder dies.
struct SetupLock {
    private let fd: Int32

    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    func release() { close(fd) }
}
