import SystemIO

/// One unit of work to run somewhere: a trial's command, or a stage's.
public struct JobRequest: Sendable {
    /// A name for people and schedulers: `tune/trial-3`.
    public var name: String
    /// What to run, where, with which environment, for how long at most.
    public var process: ProcessRequest

    public init(name: String, process: ProcessRequest) {
        self.name = name
        self.process = process
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
        }
    }
}

/// Where jobs run: this machine's processes today, a cluster's batch jobs tomorrow. The tuner and the
/// DAG see only this protocol.
///
/// Lifecycle: ``submit(_:)`` returns at once with a handle; ``watch(_:output:)`` blocks until the job
/// ends, passing its output lines as they arrive (at most one watcher per job); ``cancel(_:)`` may be
/// called from any thread, before or during the watch; ``attach(id:name:)`` finds a job that an
/// earlier labmake submitted, so that a rerun harvests it instead of submitting it again.
public protocol JobExecutor: Sendable {
    /// Starts `request`.
    func submit(_ request: JobRequest) throws -> JobHandle
    /// Waits for the job to end; `output` receives each line of its output.
    func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void) -> JobEnd
    /// Asks the job to stop; its watch then ends with ``JobEnd/cancelled``.
    func cancel(_ job: JobHandle)
    /// The job with this id if this executor can still watch it; nil if it is gone.
    func attach(id: String, name: String) -> JobHandle?
}

// MARK: - Default implementations

extension JobExecutor {
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
