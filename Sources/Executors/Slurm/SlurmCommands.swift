import Foundation
import SystemIO

/// ``SlurmController`` through Slurm's own commands (`sbatch`, `squeue`, `scontrol`, `scancel`) on the
/// `PATH`, reading the cluster from `SLURM_CONF` or `/etc/slurm` as they do.
///
/// A submission that meets a busy controller ("Socket timed out", "Unexpected message received") is
/// retried with backoff; other calls fail at once and the caller tries again at its next round.
public final class SlurmCommands: SlurmController, @unchecked Sendable {
    private let launcher: any ProcessLauncher
    private let calls = Locked([String: Int]())
    /// Seconds to wait before each retry of a submission.
    private let retryDelays: [Double]

    public init(launcher: any ProcessLauncher = LocalProcessLauncher(), retryDelays: [Double] = [1, 2, 4, 8]) {
        self.launcher = launcher
        self.retryDelays = retryDelays
    }

    /// How many times each command has run, by name: the controller's load, for benchmarks and tests.
    public var callCounts: [String: Int] { calls.withLock { $0 } }

    /// `squeue`'s output format: id, state, reason, node, comment (the comment last: it may hold `|`).
    static let queueFormat = "%i|%T|%r|%N|%k"

    public func submit(script: String, arguments: [String]) throws -> String {
        var attempt = 0
        while true {
            let (status, lines) = run("sbatch", ["--parsable"] + arguments + [script])
            if status == 0, let first = lines.first(where: { !$0.trimmingSpaces.isEmpty }) {
                // `--parsable` prints `ID` or `ID;CLUSTER`.
                let id = first.trimmingSpaces.split(separator: ";").first.map(String.init) ?? ""
                if !id.isEmpty, id.allSatisfy(\.isNumber) { return id }
                throw SlurmError("sbatch printed '\(first)' instead of a job id")
            }
            let said = lines.joined(separator: " ").trimmingSpaces
            let transient = ["Socket timed out", "Unexpected message", "Unable to contact slurm controller", "Resource temporarily unavailable",
                             "Zero Bytes were transmitted", "Connection refused"].contains { said.contains($0) }
            guard transient, attempt < retryDelays.count else {
                let hint = status == 127 ? "; executor: slurm needs Slurm's commands on the PATH (run labmake on the cluster's login node)" : ""
                throw SlurmError("sbatch failed (exit status \(status)): " + (said.isEmpty ? "no message" : said) + hint)
            }
            Thread.sleep(forTimeInterval: retryDelays[attempt])
            attempt += 1
        }
    }

    public func queue(jobName: String) throws -> [SlurmJobStatus] {
        try queueLines(["-h", "--me", "-t", "all", "-n", jobName, "-o", Self.queueFormat])
    }

    public func queue(commentPrefix: String) throws -> [SlurmJobStatus] {
        try queueLines(["-h", "--me", "-t", "all", "-o", Self.queueFormat]).filter { $0.comment.hasPrefix(commentPrefix) }
    }

    private func queueLines(_ arguments: [String]) throws -> [SlurmJobStatus] {
        let (status, lines) = run("squeue", arguments)
        guard status == 0 else { throw SlurmError("squeue failed (exit status \(status)): " + lines.joined(separator: " ").trimmingSpaces) }
        return lines.compactMap { SlurmJobStatus.parseQueueLine(Substring($0)) }
    }

    public func lookup(_ id: String) throws -> SlurmJobStatus? {
        let (status, lines) = run("scontrol", ["show", "job", "-o", id])
        let said = lines.joined(separator: " ")
        if status != 0 {
            if said.contains("Invalid job id") { return nil }
            throw SlurmError("scontrol show job \(id) failed (exit status \(status)): \(said.trimmingSpaces)")
        }
        return lines.lazy.compactMap(SlurmJobStatus.parseControlLine).first { $0.id == id }
    }

    public func cancel(_ ids: [String]) throws {
        guard !ids.isEmpty else { return }
        let (status, lines) = run("scancel", ids)
        guard status == 0 else { throw SlurmError("scancel failed (exit status \(status)): " + lines.joined(separator: " ").trimmingSpaces) }
    }

    /// Runs `command` with `arguments` (each one word); returns its exit status (127 when it could not
    /// start) and its output lines.
    private func run(_ command: String, _ arguments: [String]) -> (Int32, [String]) {
        calls.withLock { $0[command, default: 0] += 1 }
        let lines = Locked([String]())
        let line = ([command] + arguments).map(\.shellQuoted).joined(separator: " ")
        let outcome = launcher.run(ProcessRequest(command: line, workingDirectory: "/", timeout: 120), control: nil) { text in
            lines.withLock { $0.append(text) }
        }
        switch outcome {
        case .exited(let code): return (code, lines.withLock { $0 })
        case .failedToStart(let reason): return (127, [reason])
        default: return (1, lines.withLock { $0 } + [outcome.summary])
        }
    }
}
