import CVulkan

/// Records dispatches and copies into command buffers and submits them without waiting: the device
/// runs one training step while the host records the next, and the host waits only when it reads a
/// result. Commands take effect in the order recorded: a command that reads or writes a buffer an
/// earlier one wrote, or writes one an earlier one read, waits for it behind a barrier (across
/// submissions too); commands that share nothing of the kind run side by side. So device memory freed
/// by the host can be reused by the next command at once; only blocks the host itself writes or reads
/// (staging) wait for the work that uses them to complete.
final class CommandStream: @unchecked Sendable {
    /// Dispatches recorded before the stream submits on its own, to bound a command buffer.
    static let maximumDispatches = 4096
    /// Submissions the device may hold while the host records another.
    static let framesInFlight = 2
    private static let setsPerPool = 512

    /// A command buffer with what it needs until its work completes.
    private final class Frame {
        let commandBuffer: VkCommandBuffer
        let fence: VkFence
        var descriptorPools: [VkDescriptorPool] = []
        var currentPool = 0, usedInPool = 0
        var afterCompletion: [() -> Void] = []
        var inFlight = false
        /// Submission order, to wait for frames oldest first.
        var serial = 0

        init(commandBuffer: VkCommandBuffer, fence: VkFence) { (self.commandBuffer, self.fence) = (commandBuffer, fence) }
    }

    private let device: VulkanDevice
    private let library: PipelineLibrary
    private let commandPool: VkCommandPool
    private var frames: [Frame] = []
    private var current = 0
    private(set) var isRecording = false
    private var dispatches = 0
    /// Submissions so far (a training step should add one).
    private(set) var submissions = 0
    /// Dispatches recorded since the stream was made.
    private(set) var recorded = 0
    /// Times the host waited for the device to finish everything handed to it (a read, a synchronize).
    private(set) var waits = 0
    /// Barriers recorded so far (a command that depends on none of those before it since the last one adds none).
    private(set) var barriers = 0
    /// Buffers the commands recorded since the last barrier write and read.
    private var written = Set<VkBuffer>(), read = Set<VkBuffer>()
    /// Dispatches and copies recorded so far.
    private var commands = 0

    init(device: VulkanDevice, library: PipelineLibrary) throws(VulkanError) {
        self.device = device
        self.library = library
        var poolInfo = VkCommandPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        poolInfo.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT.rawValue
        poolInfo.queueFamilyIndex = device.queueFamily
        var pool: VkCommandPool?
        try check(vkCreateCommandPool(device.handle, &poolInfo, nil, &pool), "creating a command pool")
        commandPool = pool!
        for _ in 0..<Self.framesInFlight {
            var allocation = VkCommandBufferAllocateInfo()
            allocation.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
            allocation.commandPool = pool
            allocation.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
            allocation.commandBufferCount = 1
            var buffer: VkCommandBuffer?
            try check(vkAllocateCommandBuffers(device.handle, &allocation, &buffer), "allocating a command buffer")
            var fenceInfo = VkFenceCreateInfo()
            fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
            var fence: VkFence?
            try check(vkCreateFence(device.handle, &fenceInfo, nil, &fence), "creating a fence")
            frames.append(Frame(commandBuffer: buffer!, fence: fence!))
        }
    }

    deinit {
        try? submitAndWait()
        for frame in frames {
            for pool in frame.descriptorPools { vkDestroyDescriptorPool(device.handle, pool, nil) }
            vkDestroyFence(device.handle, frame.fence, nil)
        }
        vkDestroyCommandPool(device.handle, commandPool, nil)
    }

    /// Records `shader` over `groups` workgroups with `buffers` at their bindings (the others get the
    /// first buffer, unused) and `constants` as push constants.
    func dispatch(_ shader: Shader, buffers: [Int: VulkanBuffer], constants: [UInt32], groups: (Int, Int, Int)) throws(VulkanError) {
        precondition(constants.count * 4 <= PipelineLibrary.pushConstantBytes, "\(shader.name): too many push constants")
        let frame = try begin()
        let set = try descriptorSet(frame)
        let filler = buffers[buffers.keys.min()!]!
        var infos = (0..<PipelineLibrary.bindings).map { binding in
            let buffer = buffers[binding] ?? filler
            return VkDescriptorBufferInfo(buffer: buffer.block.buffer, offset: 0, range: VkDeviceSize(VK_WHOLE_SIZE))
        }
        infos.withUnsafeMutableBufferPointer { pointer in
            var writes = (0..<PipelineLibrary.bindings).map { binding in
                var write = VkWriteDescriptorSet()
                write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
                write.dstSet = set
                write.dstBinding = UInt32(binding)
                write.descriptorCount = 1
                write.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
                write.pBufferInfo = UnsafePointer(pointer.baseAddress! + binding)
                return write
            }
            vkUpdateDescriptorSets(device.handle, UInt32(writes.count), &writes, 0, nil)
        }
        // The shaders write binding 6 alone; every other binding, fillers included, counts as read.
        order(frame, reads: infos.compactMap(\.buffer), writes: buffers[6].map { [$0.block.buffer] } ?? [])
        vkCmdBindPipeline(frame.commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, library.pipeline(shader))
        var sets: [VkDescriptorSet?] = [set]
        vkCmdBindDescriptorSets(frame.commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, library.layout, 0, 1, &sets, 0, nil)
        var padded = constants + [UInt32](repeating: 0, count: PipelineLibrary.pushConstantBytes / 4 - constants.count)
        vkCmdPushConstants(frame.commandBuffer, library.layout, VK_SHADER_STAGE_COMPUTE_BIT.rawValue, 0,
                           UInt32(PipelineLibrary.pushConstantBytes), &padded)
        vkCmdDispatch(frame.commandBuffer, UInt32(groups.0), UInt32(groups.1), UInt32(groups.2))
        dispatches += 1
        recorded += 1
        if dispatches >= Self.maximumDispatches { try submit() }
    }

    /// Records a copy of `bytes` bytes between two blocks; `then` runs once it has completed.
    func copy(from source: BufferPool.Block, to destination: BufferPool.Block, bytes: Int, then: (() -> Void)? = nil) throws(VulkanError) {
        let frame = try begin()
        order(frame, reads: [source.buffer], writes: [destination.buffer])
        var region = VkBufferCopy(srcOffset: 0, dstOffset: 0, size: VkDeviceSize(bytes))
        vkCmdCopyBuffer(frame.commandBuffer, source.buffer, destination.buffer, 1, &region)
        if let then { frame.afterCompletion.append(then) }
    }

    /// Runs `body` once the work recorded or submitted so far has completed (now, when there is none).
    func afterCompletion(_ body: @escaping () -> Void) {
        if isRecording {
            frames[current].afterCompletion.append(body)
        } else if let last = frames.filter(\.inFlight).max(by: { $0.serial < $1.serial }) {
            last.afterCompletion.append(body)
        } else {
            body()
        }
    }

    /// Hands what was recorded to the device without waiting for it.
    func submit() throws(VulkanError) {
        guard isRecording else { return }
        let frame = frames[current]
        // Make the results visible to the host before the fence signals.
        var toHost = VkMemoryBarrier()
        toHost.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        toHost.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT.rawValue
        vkCmdPipelineBarrier(frame.commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue,
                             VK_PIPELINE_STAGE_HOST_BIT.rawValue, 0, 1, &toHost, 0, nil, 0, nil)
        try check(vkEndCommandBuffer(frame.commandBuffer), "ending a command buffer")
        isRecording = false
        var buffers: [VkCommandBuffer?] = [frame.commandBuffer]
        var submit = VkSubmitInfo()
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
        submit.commandBufferCount = 1
        let result = buffers.withUnsafeMutableBufferPointer { pointer in
            submit.pCommandBuffers = UnsafePointer(pointer.baseAddress)
            return vkQueueSubmit(device.queue, 1, &submit, frame.fence)
        }
        try check(result, "submitting work")
        submissions += 1
        frame.inFlight = true
        frame.serial = submissions
        dispatches = 0
        current = (current + 1) % frames.count
    }

    /// Submits what was recorded and waits for everything handed to the device.
    func submitAndWait() throws(VulkanError) {
        try submit()
        let pending = frames.filter(\.inFlight).sorted { $0.serial < $1.serial }
        guard !pending.isEmpty else { return }
        waits += 1
        for frame in pending { try finish(frame) }
    }

    /// Waits for `frame`'s work, then frees what it held.
    private func finish(_ frame: Frame) throws(VulkanError) {
        try check(vkWaitForFences(device.handle, 1, [frame.fence], VkBool32(VK_TRUE), UInt64.max), "waiting for the device")
        try check(vkResetFences(device.handle, 1, [frame.fence]), "resetting a fence")
        for pool in frame.descriptorPools { vkResetDescriptorPool(device.handle, pool, 0) }
        frame.currentPool = 0
        frame.usedInPool = 0
        frame.inFlight = false
        let completions = frame.afterCompletion
        frame.afterCompletion = []
        for completion in completions { completion() }
    }

    /// The frame being recorded, begun if need be (after the work it last held has completed).
    private func begin() throws(VulkanError) -> Frame {
        let frame = frames[current]
        guard !isRecording else { return frame }
        if frame.inFlight { try finish(frame) }
        var info = VkCommandBufferBeginInfo()
        info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue
        try check(vkResetCommandBuffer(frame.commandBuffer, 0), "resetting a command buffer")
        try check(vkBeginCommandBuffer(frame.commandBuffer, &info), "beginning a command buffer")
        isRecording = true
        // The first command waits for every earlier submission's, whatever it touches (memory the pool
        // freed and made again after a drain is not tracked by buffer).
        if commands > 0 { barrier(frame) }
        return frame
    }

    /// A barrier before a command that reads or writes what a command since the last barrier wrote, or
    /// writes what one read; then the command's buffers join those since the last barrier.
    private func order(_ frame: Frame, reads: [VkBuffer], writes: [VkBuffer]) {
        if reads.contains(where: written.contains) || writes.contains(where: { written.contains($0) || read.contains($0) }) {
            barrier(frame)
        }
        read.formUnion(reads)
        written.formUnion(writes)
        commands += 1
    }

    /// Every command after it waits for the work of every command before it (in this submission and
    /// the ones before) and sees its writes.
    private func barrier(_ frame: Frame) {
        barriers += 1
        written.removeAll(keepingCapacity: true)
        read.removeAll(keepingCapacity: true)
        var barrier = VkMemoryBarrier()
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT.rawValue | VK_ACCESS_SHADER_WRITE_BIT.rawValue
            | VK_ACCESS_TRANSFER_READ_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        let stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue
        vkCmdPipelineBarrier(frame.commandBuffer, stages, stages, 0, 1, &barrier, 0, nil, 0, nil)
    }

    /// A descriptor set from the frame's current pool, moving to the next (or a new) pool when it is used up.
    private func descriptorSet(_ frame: Frame) throws(VulkanError) -> VkDescriptorSet {
        if frame.usedInPool == Self.setsPerPool {
            frame.currentPool += 1
            frame.usedInPool = 0
        }
        if frame.currentPool == frame.descriptorPools.count { frame.descriptorPools.append(try makeDescriptorPool()) }
        var layouts: [VkDescriptorSetLayout?] = [library.setLayout]
        var info = VkDescriptorSetAllocateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
        info.descriptorPool = frame.descriptorPools[frame.currentPool]
        info.descriptorSetCount = 1
        var set: VkDescriptorSet?
        let result = layouts.withUnsafeMutableBufferPointer { pointer in
            info.pSetLayouts = UnsafePointer(pointer.baseAddress)
            return vkAllocateDescriptorSets(device.handle, &info, &set)
        }
        try check(result, "allocating a descriptor set")
        frame.usedInPool += 1
        return set!
    }

    private func makeDescriptorPool() throws(VulkanError) -> VkDescriptorPool {
        var size = VkDescriptorPoolSize(type: VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, descriptorCount: UInt32(Self.setsPerPool * PipelineLibrary.bindings))
        var info = VkDescriptorPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
        info.maxSets = UInt32(Self.setsPerPool)
        info.poolSizeCount = 1
        var pool: VkDescriptorPool?
        let result = withUnsafePointer(to: &size) { sizePointer in
            info.pPoolSizes = sizePointer
            return vkCreateDescriptorPool(device.handle, &info, nil, &pool)
        }
        try check(result, "creating a descriptor pool")
        return pool!
    }
}
