import Foundation
import SystemIO

/// Notices what a run changes and tells every open page: it polls the database's `data_version`
/// (which moves on every commit by another process) every quarter second, the logs a page tails (stage
/// logs, running trials' files) every half second, and recomputes the pipeline's state every second (a
/// touched dependency makes a stage stale without any commit).
/// Each change gives a new ``version``; subscribers receive it as it happens.
final class ChangeFeed: @unchecked Sendable {
    private let reader: WorkspaceReader
    private let pipelineSource: PipelineStateSource?
    private let lock = NSLock()
    private var generation = 0
    private var subscribers: [UUID: AsyncStream<String>.Continuation] = [:]
    private var latestPipeline: PipelineState?
    private var stopped = false
    /// Tells a restarted server's versions from the last one's, so that a reconnecting page refreshes.
    private let start = String(UInt64(Date().timeIntervalSince1970 * 1000), radix: 36)

    init(reader: WorkspaceReader, pipelineSource: PipelineStateSource?) {
        self.reader = reader
        self.pipelineSource = pipelineSource
        latestPipeline = pipelineSource?()
    }

    /// Names the workspace's state as last seen: it changes whenever anything a page shows does.
    var version: String {
        lock.lock(); defer { lock.unlock() }
        return "\(start)-\(generation)"
    }

    /// The pipeline's state as last computed (at most a second old); nil without a pipeline file.
    var pipeline: PipelineState? {
        lock.lock(); defer { lock.unlock() }
        return latestPipeline
    }

    /// The versions from now on, starting with the current one.
    func subscribe() -> AsyncStream<String> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(1))
        lock.lock()
        subscribers[id] = continuation
        let current = "\(start)-\(generation)"
        lock.unlock()
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            self.lock.lock()
            self.subscribers[id] = nil
            self.lock.unlock()
        }
        continuation.yield(current)
        return stream
    }

    var subscriberCount: Int {
        lock.lock(); defer { lock.unlock() }
        return subscribers.count
    }

    private var isStopped: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    /// Starts polling until ``stop()``, on a thread of its own: a slow dry run of the pipeline never holds
    /// up the threads that serve pages.
    func run(interval: Double = 0.25, pipelineEvery: Int = 4) {
        let thread = Thread { [weak self] in
            var lastData = (try? self?.reader.dataVersion()) ?? nil
            var lastLogs = self?.reader.logSignature() ?? ""
            var tick = 0
            while let self, !self.isStopped {
                Thread.sleep(forTimeInterval: interval)
                tick += 1
                var changed = false
                if let data = try? self.reader.dataVersion(), data != lastData {
                    lastData = data
                    changed = true
                }
                if let source = self.pipelineSource, changed || tick % pipelineEvery == 0, self.replacePipeline(source()) {
                    changed = true
                }
                if tick % 2 == 0 {
                    let logs = self.reader.logSignature()
                    if logs != lastLogs { lastLogs = logs; changed = true }
                }
                if changed { self.bump() }
            }
        }
        thread.name = "labmake serve: change feed"
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        let all = subscribers.values
        subscribers.removeAll()
        lock.unlock()
        for continuation in all { continuation.finish() }
    }

    /// Keeps `state`; true when it differs from the last.
    private func replacePipeline(_ state: PipelineState?) -> Bool {
        lock.lock(); defer { lock.unlock() }
        guard state != latestPipeline else { return false }
        latestPipeline = state
        return true
    }

    private func bump() {
        lock.lock()
        generation += 1
        let version = "\(start)-\(generation)"
        let all = Array(subscribers.values)
        lock.unlock()
        for continuation in all { continuation.yield(version) }
    }
}
