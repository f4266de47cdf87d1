import CVulkan
import Foundation

/// Device memory in blocks of a few size classes per power of two, each a buffer with its own memory,
/// kept for reuse when freed: a training step frees and asks for the same sizes every time. A device
/// block may be handed out again while recorded work still uses it (the commands run in order); a
/// staging block, which the host writes and reads, must be given back only once its work has completed.
final class BufferPool: @unchecked Sendable {
    struct Block {
        let buffer: VkBuffer
        let memory: VkDeviceMemory
        let bytes: Int
        let staging: Bool
        /// Where the host sees it, when its memory is mappable.
        let mapped: UnsafeMutableRawPointer?
    }

    private let device: VulkanDevice
    private let lock = NSLock()
    private var free: [Int: [Block]] = [:]
    private var freeStaging: [Int: [Block]] = [:]
    /// Bytes held in blocks, in use or not.
    private(set) var allocatedBytes = 0
    /// Waits for all work handed to the device, so that free blocks may be destroyed.
    var drain: () throws(VulkanError) -> Void = {}

    init(device: VulkanDevice) { self.device = device }

    deinit { trim() }

    /// The size class `bytes` rounds up to: four classes per power of two, at least 256 bytes.
    static func sizeClass(_ bytes: Int) -> Int {
        let n = max(bytes, 256)
        let top = Int.bitWidth - 1 - (n - 1).leadingZeroBitCount  // 2^top < n ≤ 2^(top + 1)
        let quarter = max((1 << (top + 1)) / 4, 1)
        return (n + quarter - 1) / quarter * quarter
    }

    /// A block of at least `bytes`, from the pool or newly allocated.
    func take(bytes: Int, staging: Bool) throws(VulkanError) -> Block {
        let size = Self.sizeClass(bytes)
        lock.lock()
        if let block = staging ? freeStaging[size]?.popLast() : free[size]?.popLast() {
            lock.unlock()
            return block
        }
        lock.unlock()
        do {
            return try allocate(size, staging: staging)
        } catch {
            // Out of memory: hand back every free block (once no recorded work uses it) and try once more.
            try drain()
            trim()
            return try allocate(size, staging: staging)
        }
    }

    /// Returns a block for reuse (it must no longer be in use by the device).
    func give(_ block: Block) {
        lock.lock()
        defer { lock.unlock() }
        if block.staging { freeStaging[block.bytes, default: []].append(block) } else { free[block.bytes, default: []].append(block) }
    }

    /// Frees every block not in use (the device must not hold work that uses a free block).
    func trim() {
        lock.lock()
        let blocks = Array(free.values.joined()) + Array(freeStaging.values.joined())
        free = [:]
        freeStaging = [:]
        for block in blocks { allocatedBytes -= block.bytes }
        lock.unlock()
        for block in blocks { release(block) }
    }

    private func release(_ block: Block) {
        if block.mapped != nil { vkUnmapMemory(device.handle, block.memory) }
        vkDestroyBuffer(device.handle, block.buffer, nil)
        vkFreeMemory(device.handle, block.memory, nil)
    }

    private func allocate(_ bytes: Int, staging: Bool) throws(VulkanError) -> Block {
        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = VkDeviceSize(bytes)
        info.usage = VulkanDevice.bufferUsage
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var buffer: VkBuffer?
        try check(vkCreateBuffer(device.handle, &info, nil, &buffer), "creating a buffer of \(bytes) bytes")
        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device.handle, buffer, &requirements)
        var allocation = VkMemoryAllocateInfo()
        allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        allocation.allocationSize = requirements.size
        allocation.memoryTypeIndex = staging ? device.stagingMemoryType : device.storageMemoryType
        var memory: VkDeviceMemory?
        let result = vkAllocateMemory(device.handle, &allocation, nil, &memory)
        guard result == VK_SUCCESS else {
            vkDestroyBuffer(device.handle, buffer, nil)
            try check(result, "allocating \(bytes) bytes of device memory")
            throw VulkanError("unreachable")
        }
        try check(vkBindBufferMemory(device.handle, buffer, memory, 0), "binding memory")
        var mapped: UnsafeMutableRawPointer?
        if staging || device.unified {
            try check(vkMapMemory(device.handle, memory, 0, VkDeviceSize(VK_WHOLE_SIZE), 0, &mapped), "mapping memory")
        }
        lock.lock()
        allocatedBytes += bytes
        lock.unlock()
        return Block(buffer: buffer!, memory: memory!, bytes: bytes, staging: staging, mapped: mapped)
    }
}
