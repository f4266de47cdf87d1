import SystemIO

/// One unit of work to run somewhere: a trial's command, or a stage's.
public struct JobRequest: Sendable {
    /// A name for people and schedulers: `tune/trial-3`.
    public var name: String
    /// What to run, where, with which environment, for how long at most.
    public var process: ProcessRequest
    /// A folder of the job's own, on storage that the machines running it share with labmake (a trial's
    /// folder): an executor whose jobs run elsewhere keeps there the job's script, output and exit record.
    public var folder: String?
    /// What the job computes, the same in every labmake run (a trial's key): a rerun finds by it the job
    /// that an earlier, killed labmake submitted, instead of submitting it again.
    public var key: String?

    public init(name: String, process: ProcessRequest, folder: String? = nil, key: String? = nil) {
        self.name = name
        self.process = process
        self.folder = folder
        self.key = key
    }
}

/// A submitted job: what an executor needs to watch, cancel or re-attach to it.
public struct JobHandle: Sendable, Hashable {
    /// The executor's id for it: a local serial number, a Slurm job id.
    public var id: String
    /// The request's name.
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

/// Where a job is, as the scheduler says: its id, state and node.
public struct JobPlacement: Sendable, Hashable, Codable {
    public var id: String
    public var state: String
    public var node: String
    /// Why it pends, or why it ended (`Priority`, `Resources`); empty when there is nothing to say.
    public var reason: String

    public init(id: String, state: String, node: String, reason: String = "") {
        self.id = id
        self.state = state
        self.node = node
        self.reason = reason == "None" ? "" : reason
    }
}

/// How a job ended.
public enum JobEnd: Sendable, Equatable {
    case exited(Int32)
    case signalled(Int32)
    /// Stopped after running past its request's timeout (seconds).
    case timedOut(Double)
    /// Stopped by ``JobExecutor/cancel(_:)``.
    case cancelled
    case failedToStart(String)
    /// The executor lost track of it (a vanished cluster job, a process of an earlier labmake).
    case lost(String)
    /// labmake stopped watching (the user interrupted it) and the job goes on; a later run attaches to it.
    case detached
    /// Ended by the scheduler, not by the job: its state (`CANCELLED`, `TIMEOUT`, `OUT_OF_MEMORY`,
    /// `NODE_FAIL`…) and why, in the scheduler's words.
    case endedByScheduler(state: String, reason: String)

    /// Whether the job exited with status 0.
    public var succeeded: Bool { self == .exited(0) }

    /// The end as a person reads it.
    public var summary: String {
        switch self {
        case .exited(let code): "exit status \(code)"
        case .signalled(let signal): "killed by signal \(signal)"
        case .timedOut(let seconds): ProcessOutcome.timedOut(seconds).summary
        case .cancelled: "cancelled"
        case .failedToStart(let reason): "could not start: \(reason)"
        case .lost(let reason): "lost: \(reason)"
        case .detached: "still running, no longer watched"
        case .endedByScheduler(let state, let reason): "ended by the scheduler: \(state)" + (reason.isEmpty ? "" : " (\(reason))")
        }
    }
}

/// Where jobs run: this machine's processes today, a cluster's batch jobs tomorrow. The tuner and the
/// DAG see only this protocol.
///
/// Lifecycle: ``submit(_:)`` returns at once with a handle; ``watch(_:output:)`` blocks until the job
/// ends, passing its output lines as they arrive, from the first (at most one watcher per job);
/// ``cancel(_:)`` may be called from any thread, before or during the watch; ``attach(_:)`` finds the
/// job that an earlier labmake submitted for the same request, running or finished, so that a rerun
/// watches (harvests) it instead of submitting it again.
public protocol JobExecutor: Sendable {
    /// Starts `request`.
    func submit(_ request: JobRequest) throws -> JobHandle
    /// Waits for the job to end; `output` receives each line of its output.
    func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void) -> JobEnd
    /// The same, and `placed` receives where the scheduler put the job each time that changes.
    func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void, placed: @escaping @Sendable (JobPlacement) -> Void) -> JobEnd
    /// Asks the job to stop; its watch then ends with ``JobEnd/cancelled``.
    func cancel(_ job: JobHandle)
    /// The job an earlier labmake submitted for `request` (same ``JobRequest/folder`` and
    /// ``JobRequest/key``) if this executor can still watch it, running or finished; nil if there is
    /// none, or it is gone without a result: then the request is to be submitted.
    func attach(_ request: JobRequest) -> JobHandle?
}

// MARK: - Default implementations

extension JobExecutor {
    /// Local jobs have no scheduler to place them.
    public func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void,
                      placed: @escaping @Sendable (JobPlacement) -> Void) -> JobEnd {
        watch(job, output: output)
    }

    /// Submits `request` and watches it to its end.
    public func run(_ request: JobRequest, output: @escaping @Sendable (String) -> Void,
                    submitted: (JobHandle) -> Void = { _ in }) -> JobEnd {
        do {
            let job = try submit(request)
            submitted(job)
            return watch(job, output: output)
        } catch {
            return .failedToStart("\(error)")
        }
    }
}
