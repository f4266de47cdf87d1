import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs commands with `/bin/sh -c` (or the request's shell) on this machine, each in a process group of its own, so that a
/// timeout, a stop or Ctrl-C ends the command and everything it started.
///
/// One thread per command both reads its output and watches for its end: the output pipe is polled
/// with the process's pidfd (Linux 5.3+; a short poll interval elsewhere). When the command's shell
/// exits, what is left of its group is killed and what is already in the pipe is read, so a
/// background child that keeps the pipe open never keeps labmake waiting.
public final class LocalProcessLauncher: ProcessLauncher, @unchecked Sendable {
    private let running = Locked(Set<pid_t>())
    private let terminating = Locked(false)
    /// Seconds between SIGTERM and SIGKILL when a command is stopped, times out or is interrupted.
    public let gracePeriod: Double

    public init(gracePeriod: Double = 3) { self.gracePeriod = gracePeriod }

    public func run(_ request: ProcessRequest, control: ProcessControl?,
                    output: @escaping @Sendable (String) -> Void) -> ProcessOutcome {
        guard !terminating.withLock({ $0 }) else { return .signalled(SIGTERM) }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return .failedToStart(String(cString: strerror(errno))) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)

        let spawned = spawn(request, stdoutAndStderr: writeEnd, readEnd: readEnd)
        close(writeEnd)
        guard case .success(let pid) = spawned else {
            close(readEnd)
            if case .failure(let failure) = spawned { return .failedToStart(failure.reason) }
            return .failedToStart("unknown")
        }
        running.withLock { _ = $0.insert(pid) }
        defer { running.withLock { _ = $0.remove(pid) } }
        return watch(pid, output: readEnd, request: request, control: control, emit: output)
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

    // MARK: - Watching a running command

    /// Reads the command's output until it ends, enforcing its timeout and stop requests.
    private func watch(_ pid: pid_t, output fd: Int32, request: ProcessRequest, control: ProcessControl?,
                       emit: (String) -> Void) -> ProcessOutcome {
        let started = monotonicSeconds()
        let exitSignal = pidfdOpen(pid)
        defer { if exitSignal >= 0 { close(exitSignal) } }
        var lines = OutputLines()
        var outputOpen = true
        var ending: ProcessOutcome?
        var killAt: Double?
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }

        func readAvailable() -> Bool {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n > 0 {
                lines.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<n]), emit)
                return true
            }
            if n == 0 || (errno != EINTR && errno != EAGAIN) { outputOpen = false }
            return false
        }

        while true {
            let now = monotonicSeconds()
            if ending == nil {
                if control?.isStopRequested == true {
                    ending = .stopped
                } else if let timeout = request.timeout, now - started >= timeout {
                    ending = .timedOut(timeout)
                }
                if ending != nil {
                    kill(-pid, SIGTERM)
                    killAt = now + gracePeriod
                }
            }
            if let deadline = killAt, now >= deadline {
                kill(-pid, SIGKILL)
                killAt = nil
            }

            var polled = [pollfd]()
            if outputOpen { polled.append(pollfd(fd: fd, events: Int16(POLLIN), revents: 0)) }
            if exitSignal >= 0 { polled.append(pollfd(fd: exitSignal, events: Int16(POLLIN), revents: 0)) }
            let wait = exitSignal >= 0 ? 100 : 20
            let ready = polled.isEmpty ? 0 : poll(&polled, nfds_t(polled.count), Int32(wait))
            if polled.isEmpty { usleep(UInt32(wait) * 1000) }
            if ready > 0, outputOpen, polled[0].revents != 0 { _ = readAvailable() }

            let exitReported = exitSignal >= 0 && polled.last.map { $0.fd == exitSignal && $0.revents != 0 } == true
            guard exitSignal < 0 || exitReported, let status = reap(pid, onlyIfExited: exitSignal < 0) else { continue }
            // The shell is gone: end what it left behind in its group, then take what is in the pipe.
            kill(-pid, SIGKILL)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            // Bounded: a process that escaped the group (setsid) may still be writing.
            var drained = 0
            while outputOpen && drained < 64 && readAvailable() { drained += 1 }
            close(fd)
            lines.finish(emit)
            if let ending { return ending }
            let signal = status & 0x7f
            return signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
        }
    }

    /// The wait status of `pid` once it has exited. With a pidfd, the exit is already known: kill the
    /// group first (the zombie keeps its id from being reused), then reap.
    private func reap(_ pid: pid_t, onlyIfExited: Bool) -> Int32? {
        var status: Int32 = 0
        if onlyIfExited {
            let result = waitpid(pid, &status, WNOHANG)
            return result == pid ? status : nil
        }
        kill(-pid, SIGKILL)
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    // MARK: - Starting a command

    private struct SpawnFailure: Error { var reason: String }

    private func spawn(_ request: ProcessRequest, stdoutAndStderr writeEnd: Int32, readEnd: Int32) -> Result<pid_t, SpawnFailure> {
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
        guard let addChdir = addChdirAction else { return .failure(SpawnFailure(reason: "posix_spawn cannot change directory")) }
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
        for name in request.removedEnvironment { environment[name] = nil }
        for (key, value) in request.environment { environment[key] = value }
        let argv = [request.shell, "-c", request.command]
        let envp = environment.map { "\($0.key)=\($0.value)" }

        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgs in
            withCStrings(envp) { cEnv in posix_spawn(&pid, request.shell, &actions, &attributes, cArgs, cEnv) }
        }
        guard status == 0 else {
            // ENOENT says neither which: the shell, or the folder the command was to start in.
            let reason = String(cString: strerror(status))
            let suspects: [String] = [request.workingDirectory, request.shell]
            if status == ENOENT, let missing = suspects.first(where: { path in access(path, F_OK) != 0 }) {
                return .failure(SpawnFailure(reason: "\(reason): \(missing)"))
            }
            return .failure(SpawnFailure(reason: reason))
        }
        return .success(pid)
    }
}

/// Seconds from an arbitrary start, never going back.
private func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}

/// A descriptor that becomes readable when `pid` exits (glibc 2.36's `pidfd_open`); -1 where unavailable.
private func pidfdOpen(_ pid: pid_t) -> Int32 {
    guard let open = pidfdOpenFunction else { return -1 }
    return open(pid, 0)
}

private let pidfdOpenFunction: (@convention(c) (pid_t, UInt32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (pid_t, UInt32) -> Int32).self)
}()

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
