import CVulkan
import Foundation

/// The process's Vulkan instance and the devices it sees. Created once, on first use; with no Vulkan
/// driver installed it is an error that says so, never a crash.
final class VulkanInstance: @unchecked Sendable {
    let handle: VkInstance
    let physicalDevices: [VkPhysicalDevice]
    let devices: [VulkanDeviceInfo]
    let validation: Bool
    private var messenger: VkDebugUtilsMessengerEXT?

    /// The shared instance, or why there is none.
    static let shared: Result<VulkanInstance, VulkanError> = Result { () throws(VulkanError) in try VulkanInstance() }

    private init() throws(VulkanError) {
        let available = Self.instanceLayers()
        let wantsValidation = VulkanValidation.requested
        let validation = wantsValidation && available.contains("VK_LAYER_KHRONOS_validation")
        if wantsValidation && !validation {
            VulkanValidation.receive("LABMAKE_VULKAN_VALIDATION is set but VK_LAYER_KHRONOS_validation is not installed "
                                     + "(Debian: vulkan-validationlayers)", isError: false)
        }
        let debugUtils = Self.instanceExtensions().contains("VK_EXT_debug_utils")
        self.validation = validation
        var layers: [String] = validation ? ["VK_LAYER_KHRONOS_validation"] : []
        layers = layers.filter { available.contains($0) }
        // With the validation layer, its synchronization checks too: a missing barrier between two commands
        // that share a buffer is an error, on any device, whether or not this one would have raced.
        let validationFeatures = validation && Self.instanceExtensions(layer: "VK_LAYER_KHRONOS_validation").contains("VK_EXT_validation_features")
        let extensions: [String] = (debugUtils ? ["VK_EXT_debug_utils"] : []) + (validationFeatures ? ["VK_EXT_validation_features"] : [])
        let enabledFeatures = [VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT]
        var features = VkValidationFeaturesEXT()
        features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT
        features.enabledValidationFeatureCount = UInt32(enabledFeatures.count)

        var instance: VkInstance?
        let result: VkResult = withCStrings(layers) { layerNames in
            withCStrings(extensions) { extensionNames in
                "labmake".withCString { appName in
                    var app = VkApplicationInfo()
                    app.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO
                    app.pApplicationName = appName
                    app.pEngineName = appName
                    app.apiVersion = labmake_vk_make_api_version(0, 1, 1, 0)
                    return withUnsafePointer(to: &app) { appPointer in
                        var info = VkInstanceCreateInfo()
                        info.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO
                        info.pApplicationInfo = appPointer
                        info.enabledLayerCount = UInt32(layerNames.count)
                        info.ppEnabledLayerNames = layerNames.baseAddress
                        info.enabledExtensionCount = UInt32(extensionNames.count)
                        info.ppEnabledExtensionNames = extensionNames.baseAddress
                        return enabledFeatures.withUnsafeBufferPointer { featureList in
                            features.pEnabledValidationFeatures = featureList.baseAddress
                            return withUnsafePointer(to: &features) { featuresPointer in
                                if validationFeatures { info.pNext = UnsafeRawPointer(featuresPointer) }
                                return vkCreateInstance(&info, nil, &instance)
                            }
                        }
                    }
                }
            }
        }
        if result == VK_ERROR_INCOMPATIBLE_DRIVER || result == VK_ERROR_INITIALIZATION_FAILED {
            throw VulkanError("no Vulkan driver is installed (the loader found none); install your GPU's driver, "
                              + "or Debian's mesa-vulkan-drivers for lavapipe")
        }
        try check(result, "creating the instance")
        guard let instance else { throw VulkanError("Vulkan: creating the instance returned no handle") }
        handle = instance

        if debugUtils {
            var info = VkDebugUtilsMessengerCreateInfoEXT()
            info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT
            info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT.rawValue | VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT.rawValue
            info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT.rawValue | VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT.rawValue
                | VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT.rawValue
            info.pfnUserCallback = VulkanValidation.callback
            var messenger: VkDebugUtilsMessengerEXT?
            if labmake_vk_create_debug_messenger(instance, &info, &messenger) == VK_SUCCESS { self.messenger = messenger }
        }

        var count: UInt32 = 0
        try check(vkEnumeratePhysicalDevices(instance, &count, nil), "listing devices")
        var handles = [VkPhysicalDevice?](repeating: nil, count: Int(count))
        try check(vkEnumeratePhysicalDevices(instance, &count, &handles), "listing devices")
        physicalDevices = handles.prefix(Int(count)).compactMap { $0 }
        devices = physicalDevices.enumerated().map { Self.describe($0.element, index: $0.offset) }
    }

    deinit {
        if let messenger { labmake_vk_destroy_debug_messenger(handle, messenger) }
        vkDestroyInstance(handle, nil)
    }

    private static func describe(_ device: VkPhysicalDevice, index: Int) -> VulkanDeviceInfo {
        var properties = VkPhysicalDeviceProperties()
        vkGetPhysicalDeviceProperties(device, &properties)
        var subgroup = VkPhysicalDeviceSubgroupProperties()
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES
        var driver = VkPhysicalDeviceDriverProperties()
        driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES
        var identity = VkPhysicalDeviceIDProperties()
        identity.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES
        let hasDriverProperties = properties.apiVersion >= labmake_vk_make_api_version(0, 1, 2, 0)
        withUnsafeMutablePointer(to: &identity) { identityPointer in
            if hasDriverProperties { driver.pNext = UnsafeMutableRawPointer(identityPointer) } else { subgroup.pNext = UnsafeMutableRawPointer(identityPointer) }
            withUnsafeMutablePointer(to: &driver) { driverPointer in
                if hasDriverProperties { subgroup.pNext = UnsafeMutableRawPointer(driverPointer) }
                withUnsafeMutablePointer(to: &subgroup) { subgroupPointer in
                    var all = VkPhysicalDeviceProperties2()
                    all.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
                    all.pNext = UnsafeMutableRawPointer(subgroupPointer)
                    vkGetPhysicalDeviceProperties2(device, &all)
                }
            }
        }
        let uuidBytes = withUnsafeBytes(of: identity.deviceUUID) { Array($0) }
        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(device, &memory)
        let heaps = withUnsafeBytes(of: memory.memoryHeaps) { Array($0.bindMemory(to: VkMemoryHeap.self).prefix(Int(memory.memoryHeapCount))) }
        let local = heaps.filter { $0.flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT.rawValue != 0 }.map(\.size).max() ?? 0

        let kind: VulkanDeviceInfo.Kind = switch properties.deviceType {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: .discrete
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: .integrated
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: .virtual
        case VK_PHYSICAL_DEVICE_TYPE_CPU: .cpu
        default: .other
        }
        let v = properties.apiVersion
        let driverName = hasDriverProperties
            ? [string(fromTuple: driver.driverName), string(fromTuple: driver.driverInfo)].filter { !$0.isEmpty }.joined(separator: " ")
            : "driver version \(properties.driverVersion)"
        let limits = properties.limits
        return VulkanDeviceInfo(
            index: index, name: string(fromTuple: properties.deviceName), kind: kind, driver: driverName,
            apiVersion: "\(labmake_vk_api_version_major(v)).\(labmake_vk_api_version_minor(v)).\(labmake_vk_api_version_patch(v))",
            memory: local, subgroupSize: Int(subgroup.subgroupSize),
            maxWorkgroupInvocations: Int(limits.maxComputeWorkGroupInvocations),
            maxSharedMemory: Int(limits.maxComputeSharedMemorySize), maxPushConstants: Int(limits.maxPushConstantsSize),
            maxStorageBufferRange: UInt64(limits.maxStorageBufferRange), uuid: VulkanDevices.uuidText(uuidBytes),
            subgroupArithmetic: subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT.rawValue != 0
                && subgroup.supportedOperations & (VK_SUBGROUP_FEATURE_BASIC_BIT.rawValue | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT.rawValue)
                    == VK_SUBGROUP_FEATURE_BASIC_BIT.rawValue | VK_SUBGROUP_FEATURE_ARITHMETIC_BIT.rawValue,
            computeUnits: computeUnits(of: device) ?? (kind == .cpu ? ProcessInfo.processInfo.activeProcessorCount : nil))
    }

    /// The device's compute units (NVIDIA's SMs, AMD's CUs), where the driver tells them through
    /// `VK_NV_shader_sm_builtins` or `VK_AMD_shader_core_properties`; core Vulkan does not. (A CPU device,
    /// lavapipe, runs workgroups on a thread per core.)
    private static func computeUnits(of device: VkPhysicalDevice) -> Int? {
        var count: UInt32 = 0
        guard vkEnumerateDeviceExtensionProperties(device, nil, &count, nil) == VK_SUCCESS else { return nil }
        var extensions = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
        guard vkEnumerateDeviceExtensionProperties(device, nil, &count, &extensions) == VK_SUCCESS else { return nil }
        let names = Set(extensions.prefix(Int(count)).map { string(fromTuple: $0.extensionName) })
        if names.contains("VK_NV_shader_sm_builtins") {
            var sm = VkPhysicalDeviceShaderSMBuiltinsPropertiesNV()
            sm.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_SM_BUILTINS_PROPERTIES_NV
            fill(&sm, of: device)
            return sm.shaderSMCount > 0 ? Int(sm.shaderSMCount) : nil
        }
        if names.contains("VK_AMD_shader_core_properties") {
            var core = VkPhysicalDeviceShaderCorePropertiesAMD()
            core.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_CORE_PROPERTIES_AMD
            fill(&core, of: device)
            let units = Int(core.shaderEngineCount) * Int(core.shaderArraysPerEngineCount) * Int(core.computeUnitsPerShaderArray)
            return units > 0 ? units : nil
        }
        return nil
    }

    /// Fills `extended`, a properties structure of an extension the device offers (its sType set), through
    /// vkGetPhysicalDeviceProperties2.
    private static func fill<Extended>(_ extended: inout Extended, of device: VkPhysicalDevice) {
        withUnsafeMutablePointer(to: &extended) { pointer in
            var all = VkPhysicalDeviceProperties2()
            all.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
            all.pNext = UnsafeMutableRawPointer(pointer)
            vkGetPhysicalDeviceProperties2(device, &all)
        }
    }

    private static func instanceLayers() -> Set<String> {
        var count: UInt32 = 0
        guard vkEnumerateInstanceLayerProperties(&count, nil) == VK_SUCCESS else { return [] }
        var layers = [VkLayerProperties](repeating: VkLayerProperties(), count: Int(count))
        guard vkEnumerateInstanceLayerProperties(&count, &layers) == VK_SUCCESS else { return [] }
        return Set(layers.prefix(Int(count)).map { string(fromTuple: $0.layerName) })
    }

    /// The instance extensions of the loader and drivers, or of `layer`.
    private static func instanceExtensions(layer: String? = nil) -> Set<String> {
        withCStrings(layer.map { [$0] } ?? []) { names in
            let name = names.first ?? nil
            var count: UInt32 = 0
            guard vkEnumerateInstanceExtensionProperties(name, &count, nil) == VK_SUCCESS else { return [] }
            var extensions = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
            guard vkEnumerateInstanceExtensionProperties(name, &count, &extensions) == VK_SUCCESS else { return [] }
            return Set(extensions.prefix(Int(count)).map { string(fromTuple: $0.extensionName) })
        }
    }
}

/// Calls `body` with `strings` as an array of C strings that live for the call.
func withCStrings<R>(_ strings: [String], _ body: (UnsafeBufferPointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = strings.map { strdup($0)! }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>?($0) }
    return pointers.withUnsafeBufferPointer(body)
}
