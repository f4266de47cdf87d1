/// What `labmake devices` shows of a Vulkan device, and what device choice ranks by.
public struct VulkanDeviceInfo: Sendable, Codable, Equatable {
    /// The kind of device, from the driver.
    public enum Kind: String, Sendable, Codable {
        case discrete = "discrete GPU", integrated = "integrated GPU", virtual = "virtual GPU", cpu = "CPU", other

        /// Lower is preferred: a discrete GPU, then integrated, then virtual, then a CPU device (lavapipe).
        var rank: Int {
            switch self {
            case .discrete: 0
            case .integrated: 1
            case .virtual: 2
            case .cpu: 3
            case .other: 4
            }
        }
    }

    /// The position in the loader's list: `vulkan:INDEX` names it.
    public var index: Int
    public var name: String
    public var kind: Kind
    /// The driver's name and version information (`NVIDIA 550.54`, `llvmpipe Mesa 22.3.6`…).
    public var driver: String
    /// The Vulkan version the device supports.
    public var apiVersion: String
    /// Device-local memory, in bytes (the largest heap).
    public var memory: UInt64
    public var subgroupSize: Int
    /// Whether compute shaders may use subgroup arithmetic (subgroupAdd, subgroupMax…).
    public var subgroupArithmetic: Bool
    public var maxWorkgroupInvocations: Int
    public var maxSharedMemory: Int
    public var maxPushConstants: Int
    public var maxStorageBufferRange: UInt64
    /// Compute units (NVIDIA's streaming multiprocessors, AMD's compute units), where the driver tells them;
    /// a CPU device's (lavapipe's) are the host's cores; nil elsewhere (core Vulkan does not tell them).
    public var computeUnits: Int?
    /// The device's UUID as NVIDIA writes it (`GPU-8a3f…`, the form `nvidia-smi -L` and
    /// `CUDA_VISIBLE_DEVICES` use); nil when the driver gives none.
    public var uuid: String?

    public init(index: Int, name: String, kind: Kind, driver: String, apiVersion: String, memory: UInt64, subgroupSize: Int,
                maxWorkgroupInvocations: Int, maxSharedMemory: Int, maxPushConstants: Int, maxStorageBufferRange: UInt64,
                uuid: String? = nil, subgroupArithmetic: Bool = false, computeUnits: Int? = nil) {
        (self.index, self.name, self.kind, self.driver, self.apiVersion, self.memory) = (index, name, kind, driver, apiVersion, memory)
        (self.subgroupSize, self.maxWorkgroupInvocations, self.maxSharedMemory) = (subgroupSize, maxWorkgroupInvocations, maxSharedMemory)
        (self.maxPushConstants, self.maxStorageBufferRange) = (maxPushConstants, maxStorageBufferRange)
        self.uuid = uuid
        self.subgroupArithmetic = subgroupArithmetic
        self.computeUnits = computeUnits
    }

    /// A GPU of any kind: what `device: auto` may choose.
    public var isGPU: Bool { kind == .discrete || kind == .integrated || kind == .virtual }
}
