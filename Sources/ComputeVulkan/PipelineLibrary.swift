import CVulkan
import Foundation

/// One compute pipeline per shader the device can run (every shader but ``Shader/optional`` ones is
/// required), created when the backend starts, all with one layout: seven
/// storage buffers (bindings 0–6) and 128 bytes of push constants for shapes. Compiled pipelines are
/// kept in a pipeline cache on disk, so later processes start faster.
final class PipelineLibrary: @unchecked Sendable {
    static let bindings = 7
    static let pushConstantBytes = 128

    let setLayout: VkDescriptorSetLayout
    let layout: VkPipelineLayout
    private(set) var pipelines: [String: VkPipeline] = [:]
    private let device: VulkanDevice
    private var cache: VkPipelineCache?

    /// Pipelines for every shader on `device`, with the subgroup variants where `subgroups` is true.
    init(device: VulkanDevice, subgroups: Bool) throws(VulkanError) {
        self.device = device
        var bindings = (0..<Self.bindings).map { i in
            var binding = VkDescriptorSetLayoutBinding()
            binding.binding = UInt32(i)
            binding.descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER
            binding.descriptorCount = 1
            binding.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT.rawValue
            return binding
        }
        var setLayout: VkDescriptorSetLayout?
        var setInfo = VkDescriptorSetLayoutCreateInfo()
        setInfo.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO
        setInfo.bindingCount = UInt32(bindings.count)
        let setResult = bindings.withUnsafeMutableBufferPointer { pointer in
            setInfo.pBindings = UnsafePointer(pointer.baseAddress)
            return vkCreateDescriptorSetLayout(device.handle, &setInfo, nil, &setLayout)
        }
        try check(setResult, "creating the descriptor set layout")
        self.setLayout = setLayout!

        var range = VkPushConstantRange()
        range.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT.rawValue
        range.size = UInt32(Self.pushConstantBytes)
        var layout: VkPipelineLayout?
        let layoutResult = withUnsafePointer(to: &range) { rangePointer in
            withUnsafePointer(to: &setLayout) { setPointer in
                var info = VkPipelineLayoutCreateInfo()
                info.sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO
                info.setLayoutCount = 1
                info.pSetLayouts = setPointer
                info.pushConstantRangeCount = 1
                info.pPushConstantRanges = rangePointer
                return vkCreatePipelineLayout(device.handle, &info, nil, &layout)
            }
        }
        try check(layoutResult, "creating the pipeline layout")
        self.layout = layout!

        loadCache()
        for (name, source, code) in try Self.shaders(for: device.info, subgroups: subgroups) {
            pipelines[name] = try createPipeline(source.name, code: code)
        }
        saveCache()
    }

    /// The shaders a device with `info`'s limits gets, each under its name (a subgroup variant under the name of
    /// the shader it replaces, where `subgroups` is true), with its SPIR-V: every shader, but the optional ones the
    /// device lacks the limits for. Throws for a device that cannot run a required shader.
    static func shaders(for info: VulkanDeviceInfo, subgroups: Bool) throws(VulkanError) -> [(name: String, source: Shader, code: [UInt32])] {
        var chosen: [(name: String, source: Shader, code: [UInt32])] = []
        for shader in Shader.all {
            let source = subgroups ? Shader.subgroupVariants[shader.name] ?? shader : shader
            let code = source.code
            if let problem = ShaderRequirements(spirv: code).problem(on: info) {
                if Shader.optional.contains(shader) { continue }
                throw VulkanError("Vulkan device \(info.index) (\(info.name)) cannot run labmake's shader \(source.name): it needs \(problem)")
            }
            chosen.append((shader.name, source, code))
        }
        return chosen
    }

    deinit {
        for pipeline in pipelines.values { vkDestroyPipeline(device.handle, pipeline, nil) }
        if let cache { vkDestroyPipelineCache(device.handle, cache, nil) }
        vkDestroyPipelineLayout(device.handle, layout, nil)
        vkDestroyDescriptorSetLayout(device.handle, setLayout, nil)
    }

    func pipeline(_ shader: Shader) -> VkPipeline { pipelines[shader.name]! }

    /// Whether the device runs `shader` (an optional one may be missing).
    func has(_ shader: Shader) -> Bool { pipelines[shader.name] != nil }

    private func createPipeline(_ name: String, code: [UInt32]) throws(VulkanError) -> VkPipeline {
        var module: VkShaderModule?
        let moduleResult = code.withUnsafeBufferPointer { words in
            var info = VkShaderModuleCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO
            info.codeSize = words.count * 4
            info.pCode = words.baseAddress
            return vkCreateShaderModule(device.handle, &info, nil, &module)
        }
        try check(moduleResult, "loading shader \(name)")
        defer { vkDestroyShaderModule(device.handle, module, nil) }
        var pipeline: VkPipeline?
        let result = "main".withCString { entry in
            var stage = VkPipelineShaderStageCreateInfo()
            stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO
            stage.stage = VK_SHADER_STAGE_COMPUTE_BIT
            stage.module = module
            stage.pName = entry
            var info = VkComputePipelineCreateInfo()
            info.sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO
            info.stage = stage
            info.layout = layout
            return vkCreateComputePipelines(device.handle, cache, 1, &info, nil, &pipeline)
        }
        try check(result, "creating the pipeline of shader \(name)")
        return pipeline!
    }

    /// `$XDG_CACHE_HOME/labmake/vulkan` (default `~/.cache/labmake/vulkan`), one file per device and driver.
    private var cacheFile: URL {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: NSHomeDirectory()).appendingPathComponent(".cache")
        let key = "\(device.info.name)-\(device.info.driver)".map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "-" }
        return base.appendingPathComponent("labmake/vulkan/pipelines-\(String(key)).bin")
    }

    private func loadCache() {
        let data = (try? Data(contentsOf: cacheFile)) ?? Data()
        var info = VkPipelineCacheCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO
        var cache: VkPipelineCache?
        // The driver checks the header and ignores data from another device or driver version.
        let result = data.withUnsafeBytes { bytes in
            info.initialDataSize = bytes.count
            info.pInitialData = bytes.baseAddress
            return vkCreatePipelineCache(device.handle, &info, nil, &cache)
        }
        if result == VK_SUCCESS { self.cache = cache }
    }

    private func saveCache() {
        guard let cache else { return }
        var size = 0
        guard vkGetPipelineCacheData(device.handle, cache, &size, nil) == VK_SUCCESS, size > 0 else { return }
        var data = Data(count: size)
        let result = data.withUnsafeMutableBytes { vkGetPipelineCacheData(device.handle, cache, &size, $0.baseAddress) }
        guard result == VK_SUCCESS else { return }
        let file = cacheFile
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? data.prefix(size).write(to: file, options: .atomic)
    }
}
