import Foundation
import SystemIO
import Tuner
#if canImport(Glibc)
import Glibc
#endif

/// Runs trials through one long-lived process: each trial writes its parameters as one JSON line to
/// the process's standard input and reads one metric line back (`{"default": v}`). For cheap
/// objectives whose start-up would dominate (the bench's `objective_cmd.py --serve`). Trials through
/// one server run one at a time.
///
/// A server that exits, closes its input or output, or does not answer within `timeout` seconds fails
/// the trial with a message; the server is then stopped, and so is every later trial through it. The
/// server leads a process group of its own, so that stopping it ends every process it started; an
/// interrupted experiment (`isCancelled`) stops waiting for it. Without a timeout, a server that is
/// alive and silent is waited for as a trial command would be, and `waiting` says so after a minute,
/// then at each doubling of the wait, with what bounds it.
public final class ServerTrialRunner: TrialRunner, @unchecked Sendable {
    private let lock = NSLock()
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var lines = OutputLines()
    private var pending: [String] = []
    private var broken: String?
    private let timeout: Double?
    private let isCancelled: @Sendable () -> Bool
    private let waiting: @Sendable (String) -> Void
    private let clock: any Clock
    /// When a silent server is first mentioned to the user.
    static let firstWaitNoticeSeconds: Double = 60

    /// - Parameters:
    ///   - timeout: seconds to wait for each answer; nil waits as long as the server lives.
    ///   - isCancelled: polled while waiting: true ends the trial as cancelled.
    ///   - waiting: told, in words, that an answer has been awaited for long (a minute, two, four…).
    public init(command: String, directory: String, timeout: Double? = nil, isCancelled: @escaping @Sendable () -> Bool = { false },
                waiting: @escaping @Sendable (String) -> Void = { _ in }, clock: any Clock = SystemClock()) throws {
        self.timeout = timeout
        self.isCancelled = isCancelled
        self.waiting = waiting
        self.clock = clock
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        // Foundation starts the shell as the leader of a process group of its own, which stop() ends whole.
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        try process.run()
    }

    deinit {
        try? input.close()
        stop()
    }

    /// Ends the server and every process it started; later trials through it fail.
    public func stop() {
        // The group outlives its leader while the server's children live, and Linux never gives its id
        // to a new process meanwhile: end it whether or not the server itself has exited.
        let group = process.processIdentifier
        guard group > 0 else { return }
        if process.isRunning {
            kill(-group, SIGTERM)
            process.terminate()
            usleep(100_000)
        }
        kill(-group, SIGKILL)
    }

    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        lock.lock()
        defer { lock.unlock() }
        if let broken { throw TunerError(broken) }
        do {
            return try exchange(trial)
        } catch let error as TunerError {
            broken = "the trial server is stopped: \(error.message)"
            stop()
            throw error
        }
    }

    private func exchange(_ trial: TrialRecord) throws -> TrialResult {
        guard process.isRunning else { throw TunerError("the trial server exited with status \(process.terminationStatus)") }
        // labmake ignores SIGPIPE: a server that closed its input makes this write fail, not labmake die.
        let line = Array((trial.configuration.json + "\n").utf8)
        let written = line.withUnsafeBytes { bytes -> Int in
            var offset = 0
            while offset < bytes.count {
                let n = write(input.fileDescriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; return -1 }
                offset += n
            }
            return offset
        }
        guard written == line.count else { throw TunerError("the trial server closed its input") }
        let start = clock.now(), deadline = timeout.map { start + $0 }
        var nextNotice = ServerTrialRunner.firstWaitNoticeSeconds
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            while !pending.isEmpty {
                let text = pending.removeFirst()
                guard let result = MetricLine.result(text) else { continue }
                guard result.metric.isFinite else { throw TunerError("the trial reported \(result.metric)") }
                return result
            }
            let wait = deadline.map { Int32(max(0, min(1000, ($0 - clock.now()) * 1000))) } ?? 1000
            var polled = [pollfd(fd: output.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&polled, 1, wait)
            if ready == 0 {
                if isCancelled() { throw TrialCancelled() }
                // A child of the server may hold its output open after the server is gone: no EOF comes.
                if !process.isRunning { throw TunerError("the trial server exited with status \(process.terminationStatus)") }
                if let deadline, clock.now() >= deadline {
                    throw TunerError("the trial server did not answer within \(timeout ?? 0) s")
                }
                let waited = clock.now() - start
                if deadline == nil && waited >= nextNotice {
                    waiting("trial \(trial.number): the trial server (pid \(process.processIdentifier)) has not answered for "
                            + "\(Int(waited)) s; --trial-timeout bounds each answer, Ctrl-C stops the experiment")
                    nextNotice *= 2
                }
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(output.fileDescriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { throw TunerError("the trial server closed its output") }
            buffer.withUnsafeBytes { bytes in
                lines.feed(UnsafeRawBufferPointer(rebasing: bytes[0..<n])) { pending.append($0) }
            }
        }
    }
}
