import Foundation
import SystemIO

/// Follows a trial's metrics file while the trial runs: reads what was appended every `interval`
/// seconds on a thread of its own, and once more when the trial has ended, handing each batch of
/// complete records (or the error that stops the reading) to `deliver`, in file order.
public final class MetricsTail: @unchecked Sendable {
    private let path: String
    private let fileSystem: any FileSystem
    private let deliver: @Sendable (Result<[NNIMetricRecord], NNIError>) -> Void
    private let condition = NSCondition()
    private var finished = false
    private var threadDone = true
    /// Touched by one thread at a time: the polling thread, then ``finish()`` after it has stopped.
    private var frames = NNIMetricFrames()
    private var readOffset = 0
    private var broken = false

    /// Bytes read at most per call.
    static let chunkBytes = 1 << 20

    public init(path: String, fileSystem: any FileSystem, deliver: @escaping @Sendable (Result<[NNIMetricRecord], NNIError>) -> Void) {
        self.path = path
        self.fileSystem = fileSystem
        self.deliver = deliver
    }

    /// Starts polling.
    public func start(interval: Double) {
        condition.lock()
        threadDone = false
        condition.unlock()
        Thread.detachNewThread { [self] in
            condition.lock()
            while !finished {
                condition.unlock()
                poll()
                condition.lock()
                if !finished { _ = condition.wait(until: Date(timeIntervalSinceNow: interval)) }
            }
            threadDone = true
            condition.broadcast()
            condition.unlock()
        }
    }

    /// Stops polling and reads what is left; returns once every record has been delivered.
    public func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        while !threadDone { condition.wait() }
        condition.unlock()
        poll()
    }

    private func poll() {
        guard !broken else { return }
        var records: [NNIMetricRecord] = []
        do {
            while true {
                let bytes = try fileSystem.readFile(path, from: readOffset, maximumBytes: Self.chunkBytes)
                readOffset += bytes.count
                records += try frames.feed(bytes)
                if bytes.count < Self.chunkBytes { break }
            }
        } catch let error as NNIError {
            broken = true
            if !records.isEmpty { deliver(.success(records)) }
            deliver(.failure(error))
            return
        } catch {
            return  // not there (yet): the trial may have removed it; nothing to read
        }
        if !records.isEmpty { deliver(.success(records)) }
    }
}
