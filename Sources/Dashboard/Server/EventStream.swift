import FlyingSocks
import Foundation

/// A page's `text/event-stream`: a `change` event per new version (the first at once), a comment
/// every 10 s to keep proxies and the connection awake, a reconnect delay of one second.
struct EventStream: AsyncBufferedSequence {
    typealias Element = UInt8
    let versions: AsyncStream<String>

    func makeAsyncIterator() -> Iterator { Iterator(versions: versions) }

    struct Iterator: AsyncBufferedIteratorProtocol {
        private let pending: AsyncStream<[UInt8]>
        private var chunks: AsyncStream<[UInt8]>.Iterator
        private var buffer: [UInt8] = Array("retry: 1000\n\n".utf8)
        /// Cancels the pump when the server lets go of the iterator (the page went away).
        private let lifetime: Lifetime

        final class Lifetime: @unchecked Sendable {
            var task: Task<Void, Never>?
            deinit { task?.cancel() }
        }

        init(versions: AsyncStream<String>) {
            let (pending, continuation) = AsyncStream<[UInt8]>.makeStream()
            self.pending = pending
            chunks = pending.makeAsyncIterator()
            let pump = Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await version in versions {
                            continuation.yield(Array("event: change\ndata: {\"version\": \"\(version)\"}\n\n".utf8))
                        }
                        continuation.finish()
                    }
                    group.addTask {
                        while !Task.isCancelled {
                            try? await Task.sleep(nanoseconds: 10_000_000_000)
                            continuation.yield(Array(": keep-alive\n\n".utf8))
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
            lifetime = Lifetime()
            lifetime.task = pump
        }

        mutating func next() async throws -> UInt8? {
            if buffer.isEmpty { buffer = await chunks.next() ?? [] }
            return buffer.isEmpty ? nil : buffer.removeFirst()
        }

        mutating func nextBuffer(suggested count: Int) async throws -> [UInt8]? {
            if buffer.isEmpty {
                guard let chunk = await chunks.next() else { return nil }
                buffer = chunk
            }
            let taken = Array(buffer.prefix(count))
            buffer.removeFirst(taken.count)
            return taken
        }
    }
}
