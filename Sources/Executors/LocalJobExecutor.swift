import Foundation
import SystemIO

/// Runs jobs as processes on this machine through a ``ProcessLauncher``: the workspace's, so that
/// Ctrl-C (``ProcessLauncher/terminateAll()``) reaches every running job.
///
/// A local job lives as long as the labmake that started it: its process group is killed when it ends,
/// is cancelled or times out, so there is never an earlier job to ``attach(_:)`` to.
public final class LocalJobExecutor: JobExecutor, @unchecked Sendable {
    private let launcher: any ProcessLauncher
    private let jobs = Locked([String: LocalJob]())
    private let counter = Locked(0)

    public init(launcher: any ProcessLauncher) { self.launcher = launcher }

    public func submit(_ request: JobRequest) throws -> JobHandle {
        let number = counter.withLock { n -> Int in
            n += 1
            return n
        }
        let handle = JobHandle(id: "local-\(getpid())-\(number)", name: request.name)
        let job = LocalJob()
        jobs.withLock { $0[handle.id] = job }
        Thread.detachNewThread { [launcher] in
            let outcome = launcher.run(request.process, control: job.control) { line in job.append(line) }
            job.finish(outcome)
        }
        return handle
    }

    public func watch(_ job: JobHandle, output: @escaping @Sendable (String) -> Void) -> JobEnd {
        guard let local = jobs.withLock({ $0[job.id] }) else { return .lost("no job \(job.id) on this machine") }
        defer { jobs.withLock { _ = $0.removeValue(forKey: job.id) } }
        let outcome = local.drain(into: output)
        switch outcome {
        case .exited(let code): return .exited(code)
        case .signalled(let signal): return .signalled(signal)
        case .timedOut(let seconds): return .timedOut(seconds)
        case .stopped: return .cancelled
        case .failedToStart(let reason): return .failedToStart(reason)
        }
    }

    public func cancel(_ job: JobHandle) {
        jobs.withLock { $0[job.id] }?.control.stop()
    }

    public func attach(_ request: JobRequest) -> JobHandle? { nil }
}

/// One running process's output lines and end, handed from its launcher thread to its watcher.
private final class LocalJob: @unchecked Sendable {
    let control = ProcessControl()
    private let condition = NSCondition()
    private var lines: [String] = []
    private var outcome: ProcessOutcome?

    func append(_ line: String) {
        condition.lock()
        lines.append(line)
        condition.signal()
        condition.unlock()
    }

    func finish(_ outcome: ProcessOutcome) {
        condition.lock()
        self.outcome = outcome
        condition.signal()
        condition.unlock()
    }

    /// Passes every line to `output` as it arrives, outside the lock; returns the outcome.
    func drain(into output: (String) -> Void) -> ProcessOutcome {
        while true {
            condition.lock()
            while lines.isEmpty && outcome == nil { condition.wait() }
            let batch = lines
            lines.removeAll(keepingCapacity: true)
            let end = batch.isEmpty ? outcome : nil
            condition.unlock()
            for line in batch { output(line) }
            if let end { return end }
        }
    }
}
