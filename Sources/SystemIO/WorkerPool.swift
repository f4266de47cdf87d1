import Foundation

/// Runs work on at most `width` threads at a time and hands the results back, in the order the work
/// finished, to the one thread that drives it: the scheduler shared by the pipeline runner and the
/// tuner's experiments.
public final class WorkerPool<Output: Sendable>: @unchecked Sendable {
    /// The most pieces of work that run at once.
    public let width: Int
    private let condition = NSCondition()
    private var results: [Output] = []
    private var woken = false
    /// Started and not yet collected; touched only by the driving thread.
    public private(set) var running = 0

    public init(width: Int) { self.width = max(1, width) }

    /// Whether another piece of work may start now.
    public var hasRoom: Bool { running < width }

    /// Starts `work` on a thread of its own; its output comes back from ``waitForResults()``.
    public func start(_ work: @escaping @Sendable () -> Output) {
        running += 1
        Thread.detachNewThread { [self] in
            let output = work()
            condition.lock()
            results.append(output)
            condition.signal()
            condition.unlock()
        }
    }

    /// Blocks until some work has finished or ``wake()`` was called, or `timeout` seconds passed (nil:
    /// no limit); returns the finished work's outputs, none after a timeout.
    public func waitForResults(timeout: Double? = nil) -> [Output] {
        condition.lock()
        let deadline = timeout.map { Date(timeIntervalSinceNow: $0) }
        while results.isEmpty && !woken {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        let done = results
        results.removeAll()
        woken = false
        condition.unlock()
        running -= done.count
        return done
    }

    /// Makes the waiting ``waitForResults()`` return, with or without results (an interrupt). Safe from any thread.
    public func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }
}
