import Compute
import Datasets
import Foundation
import Randomness

/// A batch of prepared images `[n, channels, height, width]` and their labels `[n]`.
public struct Batch: @unchecked Sendable {
    public var images: Tensor
    public var labels: Tensor
    public var count: Int { labels.shape[0] }
}

/// One epoch's batches, shuffled by the epoch's own generator and prepared on a background thread,
/// at most two batches ahead, so that compute does not wait for data. The order and every random
/// crop depend only on the seed and the epoch.
public final class BatchLoader: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var finished = false
    private var cancelled = false
    private let total: Int

    /// - Parameters:
    ///   - indices: which images of `images` this epoch covers; shuffled when `random` is given.
    public init(images: LabeledImages, indices: [Int], batchSize: Int, augmentation: Augmentation, training: Bool,
                random: SplitMix64?) {
        var shuffled = indices
        var shuffler = random ?? SplitMix64(seed: 0)
        if random != nil { shuffled.shuffle(using: &shuffler) }
        let (order, generatorAfterShuffle) = (shuffled, shuffler)
        total = (order.count + batchSize - 1) / batchSize
        let thread = Thread { [self] in
            var generator = generatorAfterShuffle
            var start = 0
            while start < order.count {
                let chunk = Array(order[start..<Swift.min(start + batchSize, order.count)])
                let size = images.bytesPerImage
                let pixels = [Float](unsafeUninitializedCapacity: chunk.count * size) { buffer, n in
                    for (k, index) in chunk.enumerated() {
                        augmentation.prepare(images, index, into: buffer.baseAddress! + k * size, training: training, random: &generator)
                    }
                    n = chunk.count * size
                }
                let batch = Batch(images: Tensor(pixels, shape: Shape([chunk.count] + images.shape.dimensions)),
                                  labels: Tensor(chunk.map { Float(images.labels[$0]) }, shape: [chunk.count]))
                condition.lock()
                while ready.count >= 2 && !cancelled { condition.wait() }
                if cancelled { condition.unlock(); return }
                ready.append(batch)
                condition.broadcast()
                condition.unlock()
                start += batchSize
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// How many batches the epoch has.
    public var count: Int { total }

    /// The next batch, or nil at the end of the epoch.
    public func next() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty && !finished { condition.wait() }
        guard !ready.isEmpty else { return nil }
        let batch = ready.removeFirst()
        condition.broadcast()
        return batch
    }

    /// Stops preparing batches (the loop ended early).
    public func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    deinit { cancel() }
}
