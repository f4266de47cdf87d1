import Foundation
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// The mutex that keeps two labmake runs in one workspace from interleaving: an exclusive
/// `flock` on `.labmake/lock`, released by the kernel if the holder dies.
public final class WorkspaceLock: @unchecked Sendable {
    private let fd: Int32

    /// Takes the lock; when another process holds it, calls `onWait` with its pid (if known) and
    /// waits, or throws ``WorkspaceLockError/busy(holder:)`` when `wait` is false.
    public init(path: String, wait: Bool, onWait: (Int32?) -> Void = { _ in }) throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(path: path, reason: String(cString: strerror(errno))) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = WorkspaceLock.readPid(fd)
            guard wait else {
                close(fd)
                throw WorkspaceLockError.busy(holder: holder)
            }
            onWait(holder)
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [CChar](repeating: 0, count: 32)
        let n = pread(fd, &buffer, 31, 0)
        guard n > 0 else { return nil }
        return Int32(String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

/// Why the workspace lock was not taken.
public enum WorkspaceLockError: Error, Sendable, CustomStringConvertible {
    case busy(holder: Int32?)

    public var description: String {
        switch self {
        case .busy(let holder?): "another labmake run (pid \(holder)) holds this workspace"
        case .busy(nil): "another labmake run holds this workspace"
        }
    }
}
