import CVulkan

/// Records dispatches and copies into one command buffer and submits it only when the host needs a
/// result: a whole training step (forward, backward, the gradients' read-back) is one submission.
/// Everything a recorded command uses is kept alive until the work completes.
final class CommandStream: @unchecked Sendable {
    /// Dispatches recorded before the stream submits on its own, to bound the memory kept alive.
    static let maximumDispatches = 4096
    private static let setsPerPool = 512

    private let device: VulkanDevice
    private let library: PipelineLibrary
    private let commandPool: VkCommandPool
    private let commandBuffer: VkCommandBuffer
    private let fence: VkFence
    private var descriptorPools: [VkDescriptorPool] = []
    private var currentPool = 0
    private var usedInPool = 0
    private var keptAlive: [AnyObject] = []
    private var afterCompletion: [() -> Void] = []
    private(set) var isRecording = false
    private var dispatches = 0
    /// Submissions so far (a training step should add one).
    private(set) var submissions = 0
    /// Dispatches recorded since the stream was made.
    private(set) var recorded = 0

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
        var allocation = VkCommandBufferAllocateInfo()
        allocation.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        allocation.commandPool = pool
        allocation.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        allocation.commandBufferCount = 1
        var buffer: VkCommandBuffer?
        try check(vkAllocateCommandBuffers(device.handle, &allocation, &buffer), "allocating a command buffer")
        commandBuffer = buffer!
        var fenceInfo = VkFenceCreateInfo()
        fenceInfo.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        var fence: VkFence?
        try check(vkCreateFence(device.handle, &fenceInfo, nil, &fence), "creating a fence")
        self.fence = fence!
    }

    deinit {
        if isRecording { try? submitAndWait() }
        for pool in descriptorPools { vkDestroyDescriptorPool(device.handle, pool, nil) }
        vkDestroyFence(device.handle, fence, nil)
        vkDestroyCommandPool(device.handle, commandPool, nil)
    }

    /// Records `shader` over `groups` workgroups with `buffers` at their bindings (the others get the
    /// first buffer, unused) and `constants` as push constants.
    func dispatch(_ shader: Shader, buffers: [Int: VulkanBuffer], constants: [UInt32], groups: (Int, Int, Int)) throws(VulkanError) {
        precondition(constants.count * 4 <= PipelineLibrary.pushConstantBytes, "\(shader.name): too many push constants")
        try begin()
        let set = try descriptorSet()
        let filler = buffers.values.first!
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
        vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, library.pipeline(shader))
        var sets: [VkDescriptorSet?] = [set]
        vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, library.layout, 0, 1, &sets, 0, nil)
        var padded = constants + [UInt32](repeating: 0, count: PipelineLibrary.pushConstantBytes / 4 - constants.count)
        vkCmdPushConstants(commandBuffer, library.layout, VK_SHADER_STAGE_COMPUTE_BIT.rawValue, 0,
                           UInt32(PipelineLibrary.pushConstantBytes), &padded)
        vkCmdDispatch(commandBuffer, UInt32(groups.0), UInt32(groups.1), UInt32(groups.2))
        barrier()
        keptAlive.append(contentsOf: buffers.values.map { $0 as AnyObject })
        dispatches += 1
        recorded += 1
        if dispatches >= Self.maximumDispatches { try submitAndWait() }
    }

    /// Records a copy of `bytes` bytes between two blocks; `then` runs once it has completed.
    func copy(from source: BufferPool.Block, to destination: BufferPool.Block, bytes: Int, keeping owners: [AnyObject],
              then: (() -> Void)? = nil) throws(VulkanError) {
        try begin()
        var region = VkBufferCopy(srcOffset: 0, dstOffset: 0, size: VkDeviceSize(bytes))
        vkCmdCopyBuffer(commandBuffer, source.buffer, destination.buffer, 1, &region)
        barrier()
        keptAlive.append(contentsOf: owners)
        if let then { afterCompletion.append(then) }
    }

    /// Submits what was recorded and waits for it.
    func submitAndWait() throws(VulkanError) {
        guard isRecording else { return }
        // Make the results visible to the host before the fence signals.
        var toHost = VkMemoryBarrier()
        toHost.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        toHost.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        toHost.dstAccessMask = VK_ACCESS_HOST_READ_BIT.rawValue
        vkCmdPipelineBarrier(commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue,
                             VK_PIPELINE_STAGE_HOST_BIT.rawValue, 0, 1, &toHost, 0, nil, 0, nil)
        try check(vkEndCommandBuffer(commandBuffer), "ending a command buffer")
        isRecording = false
        var buffers: [VkCommandBuffer?] = [commandBuffer]
        var submit = VkSubmitInfo()
        submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
        submit.commandBufferCount = 1
        let result = buffers.withUnsafeMutableBufferPointer { pointer in
            submit.pCommandBuffers = UnsafePointer(pointer.baseAddress)
            return vkQueueSubmit(device.queue, 1, &submit, fence)
        }
        try check(result, "submitting work")
        submissions += 1
        try check(vkWaitForFences(device.handle, 1, [fence], VkBool32(VK_TRUE), UInt64.max), "waiting for the device")
        try check(vkResetFences(device.handle, 1, [fence]), "resetting a fence")
        for pool in descriptorPools { vkResetDescriptorPool(device.handle, pool, 0) }
        currentPool = 0
        usedInPool = 0
        dispatches = 0
        let completions = afterCompletion
        afterCompletion = []
        keptAlive = []
        for completion in completions { completion() }
    }

    private func begin() throws(VulkanError) {
        guard !isRecording else { return }
        var info = VkCommandBufferBeginInfo()
        info.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        info.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue
        try check(vkResetCommandBuffer(commandBuffer, 0), "resetting a command buffer")
        try check(vkBeginCommandBuffer(commandBuffer, &info), "beginning a command buffer")
        isRecording = true
    }

    /// Every command waits for the writes of those before it.
    private func barrier() {
        var barrier = VkMemoryBarrier()
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT.rawValue | VK_ACCESS_SHADER_WRITE_BIT.rawValue
            | VK_ACCESS_TRANSFER_READ_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        let stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue
        vkCmdPipelineBarrier(commandBuffer, stages, stages, 0, 1, &barrier, 0, nil, 0, nil)
    }

    /// A descriptor set from the current pool, moving to the next (or a new) pool when it is used up.
    private func descriptorSet() throws(VulkanError) -> VkDescriptorSet {
        if usedInPool == Self.setsPerPool {
            currentPool += 1
            usedInPool = 0
        }
        if currentPool == descriptorPools.count { try addPool() }
        var layouts: [VkDescriptorSetLayout?] = [library.setLayout]
        var info = VkDescriptorSetAllocateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
        info.descriptorPool = descriptorPools[currentPool]
        info.descriptorSetCount = 1
        var set: VkDescriptorSet?
        let result = layouts.withUnsafeMutableBufferPointer { pointer in
            info.pSetLayouts = UnsafePointer(pointer.baseAddress)
            return vkAllocateDescriptorSets(device.handle, &info, &set)
        }
        try check(result, "allocating a descriptor set")
        usedInPool += 1
        return set!
    }

    private func addPool() throws(VulkanError) {
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
        descriptorPools.append(pool!)
    }
}
