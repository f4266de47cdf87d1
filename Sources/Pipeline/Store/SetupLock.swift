import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// A `flock` on the file beside shared state (the database): held exclusively while a process sets the
/// state up (its tables), so that processes starting at the same moment take turns, and shared by a
/// reader waiting for a setup in progress to end; released by the kernel if the holder dies.
struct SetupLock {
    private let fd: Int32

    /// Takes the lock, creating its file if need be; waits while another process holds it.
    init(path: String) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: String(cString: strerror(errno))) }
        while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
    }

    /// Waits, as a reader that writes nothing, until no process is setting up: a shared lock on the
    /// file, if it exists, taken and held until ``release()``. Nil when there is no such file (nothing
    /// has set up there, or a workspace older than the lock).
    init?(awaiting path: String) {
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        while flock(fd, LOCK_SH) != 0 && errno == EINTR {}
    }

    func release() { close(fd) }
}
