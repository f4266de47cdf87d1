/// A shell command to run: a stage's command or a trial's.
public struct ProcessRequest: Sendable {
    /// Run with `shell -c`.
    public var command: String
    /// The shell that runs the command: `/bin/sh`, or `/bin/bash` for commands written for it (NNI's).
    public var shell: String
    /// The directory the command starts in.
    public var workingDirectory: String
    /// Variables added to labmake's own environment.
    public var environment: [String: String]
    /// Variables of labmake's own environment that the command must not see.
    public var removedEnvironment: [String]
    /// Seconds after which the command and everything it started are stopped; nil: no limit.
    public var timeout: Double?

    public init(command: String, workingDirectory: String, environment: [String: String] = [:],
                removedEnvironment: [String] = [], timeout: Double? = nil, shell: String = "/bin/sh") {
        self.command = command
        self.shell = shell
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.removedEnvironment = removedEnvironment
        self.timeout = timeout
    }
}

/// How a command ended.
public enum ProcessOutcome: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// Stopped because it ran past its request's timeout (seconds).
    case timedOut(Double)
    /// Stopped through its ``ProcessControl``.
    case stopped
    case failedToStart(String)

    /// Whether the command exited with status 0.
    public var succeeded: Bool { self == .exited(0) }

    /// The outcome as a person reads it: "exit status 2", "killed by signal 9".
    public var summary: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .timedOut(let seconds): "timed out after \(ProcessOutcome.seconds(seconds)) s"
        case .stopped: "stopped"
        case .failedToStart(let reason): "could not start: \(reason)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}

/// Lets another thread, or the output callback, stop one running command: SIGTERM to its process
/// group, SIGKILL after the launcher's grace period. The command then ends as ``ProcessOutcome/stopped``.
public final class ProcessControl: Sendable {
    private let requested = Locked(false)

    public init() {}

    /// Asks the command to stop; harmless when it has already ended.
    public func stop() { requested.withLock { $0 = true } }

    /// Whether ``stop()`` was called.
    public var isStopRequested: Bool { requested.withLock { $0 } }
}

/// Runs commands and streams their output line by line; faked by tests.
///
/// A command runs in a process group of its own with standard input from `/dev/null`; when it ends,
/// is stopped or times out, every process left in its group is killed, so that nothing it started
/// outlives it or holds its output open. Output lines are split at `\n` and `\r` and cut at
/// ``OutputLines/maximumLineBytes``; reading costs time linear in the output, whatever its shape.
public protocol ProcessLauncher: Sendable {
    /// Runs `request` to completion; `output` receives each line of its stdout and stderr, merged.
    /// `control`, when given, can stop it early from any thread.
    func run(_ request: ProcessRequest, control: ProcessControl?, output: @escaping @Sendable (String) -> Void) -> ProcessOutcome
    /// Asks every command still running to stop (SIGTERM to its process group, SIGKILL after a grace
    /// period): what Ctrl-C does. No command starts afterwards.
    func terminateAll()
}

// MARK: - Default implementations

extension ProcessLauncher {
    /// Runs `request` to completion with no way to stop it but its timeout and ``terminateAll()``.
    public func run(_ request: ProcessRequest, output: @escaping @Sendable (String) -> Void) -> ProcessOutcome {
        run(request, control: nil, output: output)
    }
}
