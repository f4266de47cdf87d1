import Foundation
import SystemIO

/// Runs each job as one Slurm batch job; labmake stays where it was started and watches.
///
/// Status comes from files first: the job's output (`attempt-N.out`) and its exit record, written
/// by the batch script (``SlurmJobScript``) into the job's folder on shared storage, read every
/// quarter second without asking the controller anything. The controller answers only what files
/// cannot tell — pending reasons, jobs that ended without an exit record (cancelled, out of time or
/// memory, a failed node), requeues — through one `squeue` per poll round for every job of the
/// executor (they share one job name), whatever their number, and one lookup for a job that ended
/// or vanished without a record.
///
/// Requeued and preempted jobs are still running; `UNKNOWN` is never a success; a job pending for a
/// reason that never clears (``SlurmJobStatus/Phase/hopeless``) is cancelled and fails at once.
/// Each submission is recorded in the folder (`job.json`) before and after `sbatch`, so that
/// ``attach(_:)`` in a later labmake finds a job by its recorded id — checked against the job's name
/// and comment, since ids are reused — or, when labmake died between `sbatch` and the record, by the
/// comment, which carries the request's key.
public final class SlurmJobExecutor: JobExecutor, @unchecked Sendable {
    private let controller: any SlurmController
    private let options: SlurmOptions
    /// Every job of this executor is submitted under this name: one `squeue -n` lists them all.
    public let jobName: String
    /// Every job's comment starts with it (`labmake:…:`); the request's key (or name) follows.
    public let commentPrefix: String
    private let fileSystem: any FileSystem
    private let clock: any Clock
    /// When true, watches end at once as ``JobEnd/detached``: the jobs go on without labmake.
    private let isDetaching: @Sendable () -> Bool
    private let log: @Sendable (String) -> Void
    /// Seconds between two reads of a job's files.
    private let fileInterval: Double
    /// Seconds an ended job is given for its exit record to appear (shared file systems lag).
    private let recordGrace: Double

    private let state = Locked(QueueState())

    public init(controller: any SlurmController, options: SlurmOptions, jobName: String, commentPrefix: String,
                fileSystem: any FileSystem = LocalFileSystem(), clock: any Clock = SystemClock(), fileInterval: Double = 0.25,
                recordGrace: Double = 3, isDetaching: @escaping @Sendable () -> Bool = { false },
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.controller = controller
        self.options = options
        self.jobName = jobName
        self.commentPrefix = commentPrefix
        self.fileSystem = fileSystem
        self.clock = clock
        self.fileInterval = fileInterval
        self.recordGrace = recordGrace
        self.isDetaching = isDetaching
        self.log = log
    }

    /// Poll rounds so far, and the controller calls they made: one each.
    public var pollRounds: Int { state.withLock { $0.rounds } }

    // MARK: - JobExecutor

    public func submit(_ request: JobRequest) throws -> JobHandle {
        guard let folder = request.folder else { throw SlurmError("a Slurm job needs a folder on shared storage for its script and output") }
        try fileSystem.createDirectory(folder)
        let comment = self.comment(for: request)
        try writeRecord(SlurmJobScript.SubmissionRecord(id: nil, name: jobName, comment: comment), folder: folder)
        let script = folder + "/" + SlurmJobScript.scriptFile
        try fileSystem.writeFile(script, Array(SlurmJobScript.text(for: request, folder: folder).utf8), executable: true)
        var arguments = ["--job-name=\(jobName)", "--comment=\(comment)", "--chdir=\(folder)",
                         "--output=\(folder)/slurm-%j.out", "--open-mode=append", "--requeue"]
        arguments += options.sbatchArguments
        let id = try controller.submit(script: script, arguments: arguments)
        try writeRecord(SlurmJobScript.SubmissionRecord(id: id, name: jobName, comment: comment), folder: folder)
        let handle = JobHandle(id: id, name: request.name)
        track(handle, folder: folder, timeout: request.process.timeout, submitted: true)
        return handle
    }

    public func attach(_ request: JobRequest) -> JobHandle? {
        guard let folder = request.folder,
              let record = try? JSONDecoder().decode(SlurmJobScript.SubmissionRecord.self, from: Data(fileSystem.readFile(folder + "/" + SlurmJobScript.recordFile))),
              record.comment == comment(for: request), record.name == jobName
        else { return nil }
        if let id = record.id {
            if let exit = exitRecord(folder: folder), exit.job == id {
                return tracked(id: id, request: request, folder: folder)  // finished while no labmake watched: harvest it
            }
            let known: SlurmJobStatus?
            do {
                known = try controller.queue(jobName: jobName).first { $0.id == id } ?? controller.lookup(id)
            } catch {
                // The controller does not answer: the recorded job may well run. Watching it is safe (the watch
                // learns its fate once Slurm answers); submitting again could run the trial twice.
                log("could not ask Slurm about job \(id) (\(error)); watching it as recorded")
                return tracked(id: id, request: request, folder: folder)
            }
            guard let known, known.comment == record.comment else { return nil }
            return tracked(id: id, request: request, folder: folder)
        }
        // Killed between sbatch and the record: the job, if sbatch took it, carries the comment.
        guard let found = (try? controller.queue(jobName: jobName))?.first(where: { $0.comment == record.comment && $0.phase != .finished })
        else { return nil }
        try? writeRecord(SlurmJobScript.SubmissionRecord(id: found.id, name: jobName, comment: record.comment), folder: folder)
        return tracked(id: found.id, request: request, folder: folder)
    }

    public func cancel(_ job: JobHandle) {
        state.withLock { $0.cancelled.insert(job.id) }
        do {
            try controller.cancel([job.id])
        } catch {
            log("could not cancel Slurm job \(job.id): \(error)")
        }
    }

    public func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void) -> JobEnd {
        watch(job, output: output, placed: { _ in })
    }

    public func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void,
                      placed: @escaping @Sendable (JobPlacement) -> Void) -> JobEnd {
        guard let watched = state.withLock({ $0.jobs[job.id] }) else { return .lost("no Slurm job \(job.id) was submitted or attached here") }
        defer { untrack(job.id) }
        var tail = SlurmOutputTail(folder: watched.folder, fileSystem: fileSystem)
        var lastPlacement: JobPlacement?
        var endedAt: Double?
        /// An attempt whose exit record turned out to be Slurm's requeue, not the job's end.
        var requeuedAttempt: Int?
        while true {
            tail.read(output)
            if let exit = exitRecord(folder: watched.folder), exit.job == job.id, exit.attempt != requeuedAttempt {
                if exit.status > 128, !exit.timedOut, !state.withLock({ $0.cancelled.contains(job.id) }) {
                    // Killed by a signal: Slurm's own stop (scancel, time limit, preemption) may have beaten the script's trap.
                    switch settledState(job.id) {
                    case let slurm? where slurm.phase == .active:
                        requeuedAttempt = exit.attempt  // requeued: the next attempt writes its own record
                        continue
                    case let slurm? where slurm.phase == .finished && !["COMPLETED", "FAILED"].contains(slurm.baseState):
                        tail.finish(output)
                        placed(JobPlacement(id: job.id, state: slurm.state, node: slurm.node, reason: slurm.reason))
                        return Self.end(of: slurm)
                    default:
                        break
                    }
                }
                tail.finish(output)
                if let started = startRecord(folder: watched.folder, attempt: exit.attempt) {
                    let final = JobPlacement(id: job.id, state: exit.status == 0 ? "COMPLETED" : "FAILED", node: started.node)
                    if final != lastPlacement { placed(final) }
                }
                if state.withLock({ $0.cancelled.contains(job.id) }) { return .cancelled }
                if exit.timedOut, let timeout = watched.timeout { return .timedOut(timeout) }
                if exit.status > 128 && exit.status < 160 { return .signalled(exit.status - 128) }
                return .exited(exit.status)
            }
            if isDetaching() {
                tail.read(output)
                return .detached
            }
            let (status, polledSince) = state.withLock { ($0.snapshot[job.id], $0.completedRounds(after: watched.since)) }
            if let status {
                let placement = JobPlacement(id: job.id, state: status.state, node: status.node, reason: status.reason)
                if placement != lastPlacement {
                    lastPlacement = placement
                    placed(placement)
                }
            }
            switch status?.phase {
            case .hopeless?:
                try? controller.cancel([job.id])
                tail.finish(output)
                return .failedToStart("Slurm cannot run it: job \(job.id) pends with reason \(status!.reason)"
                                      + (Self.explanations[status!.reason].map { " (\($0))" } ?? "") + "; it was cancelled")
            case .finished?,
                 nil where polledSince:
                // Over, or gone from the queue, without an exit record: give the record time to appear, then ask once.
                let now = clock.now()
                guard let since = endedAt else { endedAt = now; break }
                guard now - since >= recordGrace else { break }
                if let exit = exitRecord(folder: watched.folder), exit.job == job.id, exit.attempt != requeuedAttempt { continue }
                tail.finish(output)
                if state.withLock({ $0.cancelled.contains(job.id) }) { return .cancelled }
                let detail = (try? controller.lookup(job.id)) ?? nil
                guard let ended = detail ?? status else {
                    return .lost("Slurm no longer knows job \(job.id), and it left no exit record in \(watched.folder)")
                }
                if ended.phase != .finished { endedAt = nil; break }  // requeued meanwhile: still running
                placed(JobPlacement(id: job.id, state: ended.state, node: ended.node, reason: ended.reason))
                return Self.end(of: ended)
            default:
                endedAt = nil
            }
            Thread.sleep(forTimeInterval: fileInterval)
        }
    }

    /// The job's state once it has left running (its script just ended): asked every quarter second
    /// for at most ten seconds; nil when the controller does not answer or no longer knows it.
    private func settledState(_ id: String) -> SlurmJobStatus? {
        let deadline = clock.now() + 10
        while true {
            guard let status = (try? controller.lookup(id)) ?? nil else { return nil }
            guard ["RUNNING", "COMPLETING", "CONFIGURING", "SIGNALING", "STAGE_OUT"].contains(status.baseState), clock.now() < deadline else { return status }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// How a job that left no exit record ended, from Slurm's record of it.
    static func end(of status: SlurmJobStatus) -> JobEnd {
        switch status.baseState {
        case "COMPLETED", "FAILED":
            if let signal = status.signal, signal > 0 { return .signalled(signal) }
            if let code = status.exitCode { return .exited(code) }
            return .endedByScheduler(state: status.state, reason: status.reason)
        default:
            let reason = status.reason == "None" ? "" : status.reason
            return .endedByScheduler(state: status.baseState, reason: Self.explanations[status.baseState] ?? reason)
        }
    }

    /// Slurm's words, explained.
    static let explanations = [
        "PartitionConfig": "the request is larger than the partition allows: fewer CPUs, GPUs or memory, or another partition",
        "BadConstraints": "no node has the requested features",
        "DependencyNeverSatisfied": "a job it depends on failed",
        "PartitionTimeLimit": "the time asked for is longer than the partition's limit",
        "PartitionNodeLimit": "more nodes than the partition has",
        "InvalidAccount": "the account is not valid",
        "InvalidQOS": "the QOS is not valid",
        "QOSJobLimit": "the QOS allows no such job",
        "TIMEOUT": "it ran past its time limit (slurm: time)",
        "OUT_OF_MEMORY": "it ran out of memory (slurm: memory)",
        "CANCELLED": "cancelled on the cluster (scancel, or an administrator)",
        "NODE_FAIL": "its node failed",
        "BOOT_FAIL": "its node failed to boot",
        "DEADLINE": "its deadline passed",
    ]

    // MARK: - Polling

    /// A submitted or attached job being watched.
    private struct Watched {
        var folder: String
        var timeout: Double?
        /// The poll round under way when it was submitted: a later round that does not list it means it is gone.
        var since: Int
    }

    private struct QueueState {
        var jobs: [String: Watched] = [:]
        var snapshot: [String: SlurmJobStatus] = [:]
        var cancelled: Set<String> = []
        /// Poll rounds started, and finished with an answer.
        var rounds = 0
        var lastAnswered = -1
        var polling = false

        /// Whether a round that started after round `since` has answered.
        func completedRounds(after since: Int) -> Bool { lastAnswered > since }
    }

    private func tracked(id: String, request: JobRequest, folder: String) -> JobHandle {
        let handle = JobHandle(id: id, name: request.name)
        track(handle, folder: folder, timeout: request.process.timeout, submitted: false)
        return handle
    }

    private func track(_ job: JobHandle, folder: String, timeout: Double?, submitted: Bool) {
        let start = state.withLock { s -> Bool in
            s.jobs[job.id] = Watched(folder: folder, timeout: timeout, since: s.rounds)
            guard !s.polling else { return false }
            s.polling = true
            return true
        }
        if start { Thread.detachNewThread { [self] in pollLoop() } }
    }

    private func untrack(_ id: String) {
        state.withLock {
            $0.jobs[id] = nil
            $0.cancelled.remove(id)
        }
    }

    /// One `squeue` per round while any job is watched; a failed round keeps the last answer.
    private func pollLoop() {
        var failures = 0
        while true {
            let round = state.withLock { s -> Int? in
                guard !s.jobs.isEmpty else { s.polling = false; return nil }
                s.rounds += 1
                return s.rounds
            }
            guard let round else { return }
            do {
                let statuses = try controller.queue(jobName: jobName)
                state.withLock { s in
                    s.snapshot = Dictionary(statuses.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
                    s.lastAnswered = round
                }
                if failures > 0 { log("Slurm answers again") }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 || failures.isMultiple(of: 10) { log("could not list Slurm jobs (\(error)); labmake keeps watching the jobs' files and asks again") }
            }
            // Sleep one interval, waking early when the last job is no longer watched.
            let wake = clock.now() + options.pollInterval
            while clock.now() < wake {
                if state.withLock({ $0.jobs.isEmpty }) { break }
                Thread.sleep(forTimeInterval: min(0.1, max(wake - clock.now(), 0)))
            }
        }
    }

    // MARK: - Files

    private func comment(for request: JobRequest) -> String {
        commentPrefix + (request.key ?? request.name).replacingOccurrences(of: " ", with: "_")
    }

    private func writeRecord(_ record: SlurmJobScript.SubmissionRecord, folder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try fileSystem.writeFile(folder + "/" + SlurmJobScript.recordFile, Array(try encoder.encode(record)))
    }

    private func startRecord(folder: String, attempt: Int) -> SlurmJobScript.StartRecord? {
        guard let bytes = try? fileSystem.readFile(folder + "/" + SlurmJobScript.startedFile(attempt: attempt)) else { return nil }
        return try? JSONDecoder().decode(SlurmJobScript.StartRecord.self, from: Data(bytes))
    }

    private func exitRecord(folder: String) -> SlurmJobScript.ExitRecord? {
        guard let bytes = try? fileSystem.readFile(folder + "/" + SlurmJobScript.exitFile) else { return nil }
        return try? JSONDecoder().decode(SlurmJobScript.ExitRecord.self, from: Data(bytes))
    }
}
