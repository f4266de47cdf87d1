import CVulkan

/// A logical device with one compute queue, and the memory types buffers are made from.
final class VulkanDevice: @unchecked Sendable {
    let info: VulkanDeviceInfo
    let physical: VkPhysicalDevice
    let handle: VkDevice
    let queue: VkQueue
    let queueFamily: UInt32
    /// Where tensors live: device-local memory.
    let storageMemoryType: UInt32
    /// Whether the host can map `storageMemoryType` (lavapipe, integrated GPUs, resizable BAR): then
    /// transfers are plain copies and need no staging.
    let unified: Bool
    /// Host-visible memory for staging transfers when `unified` is false.
    let stagingMemoryType: UInt32
    static let bufferUsage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue
        | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue

    init(instance: VulkanInstance, index: Int) throws(VulkanError) {
        physical = instance.physicalDevices[index]
        info = instance.devices[index]

        var familyCount: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, nil)
        var families = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(familyCount))
        vkGetPhysicalDeviceQueueFamilyProperties(physical, &familyCount, &families)
        let compute = VK_QUEUE_COMPUTE_BIT.rawValue, graphics = VK_QUEUE_GRAPHICS_BIT.rawValue
        // A compute-only family first (it runs beside graphics work), else any that computes.
        guard let family = families.firstIndex(where: { $0.queueFlags & compute != 0 && $0.queueFlags & graphics == 0 })
                ?? families.firstIndex(where: { $0.queueFlags & compute != 0 }) else {
            throw VulkanError("Vulkan device \(info.index) (\(info.name)) has no compute queue")
        }
        queueFamily = UInt32(family)
        let physical = self.physical, queueFamily = self.queueFamily  // for the closures below, before self is whole

        var priority: Float = 1
        var device: VkDevice?
        let result = withUnsafePointer(to: &priority) { priorityPointer in
            var queueInfo = VkDeviceQueueCreateInfo()
            queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
            queueInfo.queueFamilyIndex = queueFamily
            queueInfo.queueCount = 1
            queueInfo.pQueuePriorities = priorityPointer
            return withUnsafePointer(to: &queueInfo) { queuePointer in
                var deviceInfo = VkDeviceCreateInfo()
                deviceInfo.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                deviceInfo.queueCreateInfoCount = 1
                deviceInfo.pQueueCreateInfos = queuePointer
                return vkCreateDevice(physical, &deviceInfo, nil, &device)
            }
        }
        try check(result, "creating a device on \(info.name)")
        guard let device else { throw VulkanError("Vulkan: creating a device returned no handle") }
        handle = device
        var queue: VkQueue?
        vkGetDeviceQueue(device, queueFamily, 0, &queue)
        self.queue = queue!
        let info = self.info

        // The memory types a storage buffer may use.
        var probe = VkBufferCreateInfo()
        probe.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        probe.size = 256
        probe.usage = Self.bufferUsage
        var buffer: VkBuffer?
        try check(vkCreateBuffer(device, &probe, nil, &buffer), "creating a buffer")
        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device, buffer, &requirements)
        vkDestroyBuffer(device, buffer, nil)

        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(physical, &memory)
        let types = withUnsafeBytes(of: memory.memoryTypes) { Array($0.bindMemory(to: VkMemoryType.self).prefix(Int(memory.memoryTypeCount))) }
        let heaps = withUnsafeBytes(of: memory.memoryHeaps) { Array($0.bindMemory(to: VkMemoryHeap.self).prefix(Int(memory.memoryHeapCount))) }
        let local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue, visible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue
        let coherent = VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue, cached = VK_MEMORY_PROPERTY_HOST_CACHED_BIT.rawValue
        let allowed = types.indices.filter { requirements.memoryTypeBits & (1 << UInt32($0)) != 0 }
        func has(_ i: Int, _ flags: UInt32) -> Bool { types[i].propertyFlags & flags == flags }
        let largestLocal = heaps.filter { $0.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.rawValue != 0 }.map(\.size).max() ?? 0
        // Mappable device-local memory counts as unified only when its heap is most of the device's
        // memory (a 256 MiB PCIe window is not).
        let unifiedType = allowed.first { i in
            has(i, local | visible | coherent) && heaps[Int(types[i].heapIndex)].size * 2 >= largestLocal
        }
        guard let storage = unifiedType ?? allowed.first(where: { has($0, local) }) ?? allowed.first(where: { has($0, visible | coherent) }) else {
            throw VulkanError("Vulkan device \(info.name) offers no memory type for storage buffers")
        }
        storageMemoryType = UInt32(storage)
        unified = has(storage, visible | coherent)
        guard let staging = allowed.first(where: { has($0, visible | coherent | cached) }) ?? allowed.first(where: { has($0, visible | coherent) }) else {
            throw VulkanError("Vulkan device \(info.name) offers no host-visible memory")
        }
        stagingMemoryType = UInt32(staging)
    }

    deinit {
        vkDeviceWaitIdle(handle)
        vkDestroyDevice(handle, nil)
    }
}
