import Compute
import Foundation

/// A tensor's elements in device memory. Freed to the pool when the last tensor using it goes: commands
/// recorded later run after those that use it, so the block may be reused at once.
final class VulkanBuffer: DeviceStorage, @unchecked Sendable {
    let block: BufferPool.Block
    let count: Int
    /// Strong: the device and its memory outlive every buffer made on them.
    private let backend: VulkanBackend
    /// A host-visible copy being made for a read-back (devices without unified memory).
    private var readback: BufferPool.Block?

    init(_ block: BufferPool.Block, count: Int, backend: VulkanBackend) {
        self.block = block
        self.count = count
        self.backend = backend
    }

    deinit {
        backend.pool.give(block)
        // A copy into the read-back block may still be pending: it goes back once that has run.
        if let readback { backend.locked { backend.stream.afterCompletion { [pool = backend.pool] in pool.give(readback) } } }
    }

    var backendName: String { backend.storageKey }

    func prepareRead() {
        backend.locked {
            guard !backend.device.unified, readback == nil, count > 0 else { return }
            guard let staging = try? backend.pool.take(bytes: count * 4, staging: true) else { return }
            readback = staging
            try? backend.stream.copy(from: block, to: staging, bytes: count * 4)
        }
    }

    func read() throws -> [Float] {
        try backend.locked { () throws(VulkanError) -> [Float] in
            guard count > 0 else { return [] }
            if !backend.device.unified && readback == nil {
                prepareRead()
                guard readback != nil else { throw VulkanError("Vulkan: no host memory left to read a tensor back") }
            }
            try backend.stream.submitAndWait()
            backend.readBack += count * 4
            let source = backend.device.unified ? block.mapped! : readback!.mapped!
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: count * 4)) }
            if let readback {
                backend.pool.give(readback)
                self.readback = nil
            }
            return values
        }
    }
}
