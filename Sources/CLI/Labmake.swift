import ArgumentParser
import Foundation
import Stages

/// `labmake`: runs ML experiment pipelines as a DAG, caching every stage by content hash.
public struct Labmake: ParsableCommand {
    public static let version = LabmakeVersion.current

    public static let configuration = CommandConfiguration(
        commandName: "labmake",
        abstract: "Run machine-learning experiment pipelines as a DAG, caching every stage by content hash.",
        discussion: """
            Exit codes: 0 success, 1 a stage failed, 2 invalid pipeline or arguments, 130 interrupted.
            """,
        version: version,
        subcommands: [RunCommand.self, StatusCommand.self, DagCommand.self, LogCommand.self, GCCommand.self, DataCommand.self, TrainCommand.self, TuneCommand.self, TrialsCommand.self, ServeCommand.self, TrialExecCommand.self, TrainExecCommand.self, CancelCommand.self, ReportCommand.self, DevicesCommand.self, BenchCommand.self])

    public init() {}

    /// Parses the command line, runs the command and exits with labmake's exit codes.
    public static func runAndExit(_ arguments: [String]? = nil) -> Never {
        PhaseTimer.shared.lap("start")
        // A command or trial server that closes its end of a pipe must not kill labmake: writes fail instead.
        signal(SIGPIPE, SIG_IGN)
        // Whoever started labmake may have blocked SIGINT or SIGTERM in the thread that did (a thread pool's threads
        // do, and a child inherits the mask): unblock them, so that Ctrl-C and a TERM reach labmake and its server.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGINT)
        sigaddset(&stopSignals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        do {
            var command = try parseAsRoot(arguments.map(expandAttachedJobs) ?? expandAttachedJobs(Array(CommandLine.arguments.dropFirst())))
            PhaseTimer.shared.lap("arguments")
            try command.run()
            PhaseTimer.shared.lap("output")
            PhaseTimer.shared.report()
            Foundation.exit(0)
        } catch let error as LabmakeExit {
            if !error.message.isEmpty { FileHandle.standardError.write(Data((error.message + "\n").utf8)) }
            Foundation.exit(error.code)
        } catch {
            let code = exitCode(for: error)
            // Usage mistakes exit 2, as the design promises, not ArgumentParser's 64.
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.invalid)
            }
            exit(withError: error)
        }
    }
}

/// `-j4` → `-j 4`, as make users type it.
private func expandAttachedJobs(_ arguments: [String]) -> [String] {
    arguments.flatMap { arg -> [String] in
        if arg.hasPrefix("-j"), arg.count > 2, Int(arg.dropFirst(2)) != nil { return ["-j", String(arg.dropFirst(2))] }
        return [arg]
    }
}

/// labmake's exit statuses.
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let stageFailed: Int32 = 1
    public static let invalid: Int32 = 2
    public static let interrupted: Int32 = 130
}

/// Ends the command with a status and a message for standard error.
public struct LabmakeExit: Error {
    public var code: Int32
    public var message: String

    public init(_ code: Int32, _ message: String = "") {
        self.code = code
        self.message = message
    }
}
