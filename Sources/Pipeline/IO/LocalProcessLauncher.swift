import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs commands with `/bin/sh -c`, each in a process group of its own so that Ctrl-C can stop it
/// and everything it started.
public final class LocalProcessLauncher: ProcessLauncher, @unchecked Sendable {
    private let running = Locked(Set<pid_t>())
    private let terminating = Locked(false)
    /// Seconds between SIGTERM and SIGKILL in ``terminateAll()``, after which no command starts.
    public let gracePeriod: Double

    public init(gracePeriod: Double = 3) { self.gracePeriod = gracePeriod }

    public func run(_ request: ProcessRequest, output: @escaping @Sendable (String) -> Void) -> ProcessOutcome {
        guard !terminating.withLock({ $0 }) else { return .signalled(SIGTERM) }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failedToStart(String(cString: strerror(errno))) }
        let (readEnd, writeEnd) = (fds[0], fds[1])

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        // The command inherits stdin, stdout and stderr only: no database, lock or pipe of labmake's.
        if let closeFrom = addCloseFromAction {
            _ = closeFrom(&actions, 3)
        } else {
            posix_spawn_file_actions_addclose(&actions, readEnd)
            posix_spawn_file_actions_addclose(&actions, writeEnd)
        }
        guard let addChdir = addChdirAction else { return .failedToStart("posix_spawn cannot change directory") }
        addChdir(&actions, request.workingDirectory)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGINT)
        sigaddset(&defaultSignals, SIGTERM)
        sigaddset(&defaultSignals, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes,
                                 Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var environment = ProcessInfo.processInfo.environment
        for (key, value) in request.environment { environment[key] = value }
        let argv = ["/bin/sh", "-c", request.command]
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgs in
            withCStrings(envp) { cEnv in posix_spawn(&pid, "/bin/sh", &actions, &attributes, cArgs, cEnv) }
        }
        close(writeEnd)
        guard status == 0 else {
            close(readEnd)
            return .failedToStart(String(cString: strerror(status)))
        }
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }

        streamLines(from: readEnd, to: output)
        close(readEnd)

        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let signal = waitStatus & 0x7f
        return signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signalled(signal)
    }

    public func terminateAll() {
        terminating.withLock { $0 = true }
        let groups = running.withLock { $0 }
        for pid in groups { kill(-pid, SIGTERM) }
        guard !groups.isEmpty else { return }
        let grace = gracePeriod
        Thread.detachNewThread { [running] in
            Thread.sleep(forTimeInterval: grace)
            for pid in running.withLock({ $0 }) where groups.contains(pid) { kill(-pid, SIGKILL) }
        }
    }

    private func streamLines(from fd: Int32, to output: (String) -> Void) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            var start = 0
            for i in 0..<n where buffer[i] == UInt8(ascii: "\n") {
                pending.append(contentsOf: buffer[start..<i])
                output(String(decoding: pending, as: UTF8.self))
                pending.removeAll(keepingCapacity: true)
                start = i + 1
            }
            pending.append(contentsOf: buffer[start..<n])
        }
        if !pending.isEmpty { output(String(decoding: pending, as: UTF8.self)) }
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+): closes every descriptor from N up.
private let addCloseFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
        return nil
    }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), which Swift's Glibc module does not import.
private let addChdirAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else {
        return nil
    }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
}()
