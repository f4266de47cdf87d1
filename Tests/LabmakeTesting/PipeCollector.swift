import Foundation

/// Everything written to a pipe, read on a thread of its own as it comes, so that a test can look at
/// the output of a process still running and the process never blocks on a full pipe.
public final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let ended = DispatchSemaphore(value: 0)

    /// Starts reading `handle` until its writers close it.
    public init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while case let chunk = handle.availableData, !chunk.isEmpty { lock.withLock { data.append(chunk) } }
            ended.signal()
        }
    }

    /// What has been read so far, as UTF-8 (bytes that are not are replaced).
    public var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Waits until the pipe has ended, then returns all of it.
    public func textAtEnd() -> String {
        ended.wait()
        ended.signal()
        return text
    }
}
