/// A shell command to run for a stage.
public struct ProcessRequest: Sendable {
    /// Run with `/bin/sh -c`.
    public var command: String
    /// The directory the command starts in.
    public var workingDirectory: String
    /// Variables added to labmake's own environment.
    public var environment: [String: String]

    public init(command: String, workingDirectory: String, environment: [String: String] = [:]) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
    }
}

/// How a command ended.
public enum ProcessOutcome: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    case failedToStart(String)

    /// Whether the command exited with status 0.
    public var succeeded: Bool { self == .exited(0) }

    /// The outcome as a person reads it: "exit status 2", "killed by signal 9".
    public var summary: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .failedToStart(let reason): "could not start: \(reason)"
        }
    }
}

/// Runs commands and streams their output line by line; faked by tests.
public protocol ProcessLauncher: Sendable {
    /// Runs `request` to completion; `output` receives each line of its stdout and stderr, merged.
    func run(_ request: ProcessRequest, output: @escaping @Sendable (String) -> Void) -> ProcessOutcome
    /// Asks every command still running to stop (SIGTERM to its process group, SIGKILL after a grace
    /// period): what Ctrl-C does.
    func terminateAll()
}
