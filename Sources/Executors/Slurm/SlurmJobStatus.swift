/// What the Slurm controller says of one job: a line of `squeue`, or `scontrol show job`.
public struct SlurmJobStatus: Sendable, Hashable {
    public var id: String
    /// Slurm's state: `PENDING`, `RUNNING`, `COMPLETED`, `FAILED`, `CANCELLED`, `TIMEOUT`, `REQUEUED`…
    public var state: String
    /// Why it pends or ended (`Priority`, `PartitionConfig`, `NonZeroExitCode`…); `None` or empty otherwise.
    public var reason: String
    /// The node it runs or ran on; empty while pending.
    public var node: String
    /// The `--comment` it was submitted with.
    public var comment: String
    /// The exit code and the signal that ended it, from `scontrol` (`ExitCode=3:0`); nil from `squeue`.
    public var exitCode: Int32?
    public var signal: Int32?

    public init(id: String, state: String, reason: String = "", node: String = "", comment: String = "",
                exitCode: Int32? = nil, signal: Int32? = nil) {
        self.id = id
        self.state = state
        self.reason = reason
        self.node = node
        self.comment = comment
        self.exitCode = exitCode
        self.signal = signal
    }

    /// The state without the `+` some Slurm versions append (`CANCELLED+`).
    public var baseState: String { state.split(separator: "+").first.map(String.init) ?? state }

    /// Where the job stands, for labmake.
    public var phase: Phase {
        let state = baseState
        if Self.finished.contains(state) { return .finished }
        if state == "PENDING", Self.hopelessReasons.contains(reason) { return .hopeless }
        return .active
    }

    public enum Phase: Sendable, Equatable {
        /// Pending, running, requeued, preempted, suspended, completing, or a state Slurm has not settled
        /// (`UNKNOWN` is never taken for a success).
        case active
        /// Pending for a reason that never clears by itself: a request larger than the partition, a
        /// constraint no node has, a dependency that failed.
        case hopeless
        /// Over: the job will not run again.
        case finished
    }

    /// Slurm's states of a job that is over (`squeue(1)`, JOB STATE CODES).
    static let finished: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "OUT_OF_MEMORY", "NODE_FAIL", "BOOT_FAIL",
                                        "DEADLINE", "REVOKED", "SPECIAL_EXIT"]
    /// Pending reasons that never clear without someone changing the job or the cluster.
    static let hopelessReasons: Set<String> = ["PartitionConfig", "BadConstraints", "DependencyNeverSatisfied", "PartitionTimeLimit",
                                               "PartitionNodeLimit", "InvalidAccount", "InvalidQOS", "QOSJobLimit"]

    /// Parses a line of `squeue -h -o '%i|%T|%r|%N|%k'` (``SlurmCommands/queueFormat``).
    static func parseQueueLine(_ line: Substring) -> SlurmJobStatus? {
        let fields = line.split(separator: "|", maxSplits: 4, omittingEmptySubsequences: false)
        guard fields.count == 5, !fields[0].isEmpty, fields[0].allSatisfy({ $0.isNumber || $0 == "_" }) else { return nil }
        return SlurmJobStatus(id: String(fields[0]), state: String(fields[1]), reason: String(fields[2]), node: String(fields[3]),
                              comment: String(fields[4]))
    }

    /// Parses the one line of `scontrol show job -o ID`: `JobId=7 JobName=… JobState=FAILED Reason=… ExitCode=3:0 …`.
    static func parseControlLine(_ line: String) -> SlurmJobStatus? {
        var fields: [String: String] = [:]
        for token in line.split(separator: " ") {
            guard let equals = token.firstIndex(of: "=") else { continue }
            let key = String(token[..<equals])
            if fields[key] == nil { fields[key] = String(token[equals...].dropFirst()) }
        }
        guard let id = fields["JobId"], let state = fields["JobState"] else { return nil }
        var status = SlurmJobStatus(id: id, state: state, reason: fields["Reason"] ?? "", node: fields["NodeList"] ?? "",
                                    comment: fields["Comment"] ?? "")
        if status.node == "(null)" { status.node = "" }
        if status.comment == "(null)" { status.comment = "" }
        if let exit = fields["ExitCode"] {
            let parts = exit.split(separator: ":")
            status.exitCode = parts.first.flatMap { Int32($0) }
            status.signal = parts.count > 1 ? Int32(parts[1]) : nil
        }
        return status
    }
}
