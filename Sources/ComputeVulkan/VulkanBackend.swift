import CVulkan
import Compute
import Foundation

/// Runs every op of ``Op`` as a compute shader on one Vulkan device. Results stay in device memory
/// until the host reads them; the ops of a training step are recorded into one command buffer and
/// submitted when the loss and gradients are read.
public final class VulkanBackend: Backend, @unchecked Sendable {
    public let name = "vulkan"
    /// The device it runs on.
    public let info: VulkanDeviceInfo
    let device: VulkanDevice
    let pool: BufferPool
    let library: PipelineLibrary
    let stream: CommandStream
    private let lock = NSRecursiveLock()
    private var weightGradientSliceLimit = 32

    /// The most slices a convolution's weight gradient splits its sum over images into (each summed by
    /// workgroups of its own, then added up); 1 sums every image in one pass.
    public var weightGradientSlices: Int {
        get { locked { weightGradientSliceLimit } }
        set { locked { weightGradientSliceLimit = max(newValue, 1) } }
    }

    /// When matrix products and convolutions use 128 × 128 tiles; ``LargeTiles/whereBusy`` unless set (busy for
    /// the device's compute units, where ``VulkanDeviceInfo/computeUnits`` tells them).
    public var largeTiles: LargeTiles {
        get { locked { largeTilePolicy } }
        set { locked { largeTilePolicy = newValue } }
    }
    private var largeTilePolicy = LargeTiles.whereBusy

    /// Whether the device has the shared memory for the convolutions' 128 × 128 tiles (16.6 KB a workgroup,
    /// where every device offers 16 KB); without it convolutions use 64 × 64 at most. The matrix products'
    /// 128 × 128 tiles fit every device.
    public var largeTilesAvailable: Bool { library.has(.implicitGemm128) }

    /// Whether reductions (sums, maxima, batch norm's moments and affine gradients) use subgroup operations.
    public let subgroupReductions: Bool

    /// Opens device `index` of ``VulkanDevices/list()``; reductions use subgroup operations where the device
    /// offers them, unless `subgroupReductions` says otherwise (false: shared memory only).
    public init(device index: Int, subgroupReductions: Bool? = nil) throws(VulkanError) {
        let instance = try VulkanInstance.shared.get()
        guard instance.devices.indices.contains(index) else {
            throw VulkanError("there is no Vulkan device \(index) (\(instance.devices.count) found)")
        }
        device = try VulkanDevice(instance: instance, index: index)
        info = device.info
        self.subgroupReductions = info.subgroupArithmetic && subgroupReductions != false
        storageKey = Self.openedLock.withLock { Self.opened += 1; return "vulkan:\(index)#\(Self.opened)" }
        pool = BufferPool(device: device)
        library = try PipelineLibrary(device: device, subgroups: self.subgroupReductions)
        stream = try CommandStream(device: device, library: library)
        pool.drain = { [unowned stream] () throws(VulkanError) in try stream.submitAndWait() }
    }

    deinit {
        // The pool frees its blocks after this: no work may still use them.
        try? stream.submitAndWait()
    }

    /// Names the memory of this backend (`vulkan:0#1`: device 0, the first backend opened on it), so that a
    /// tensor's buffer is never used on another device, nor by another backend on the same device (a
    /// shared tensor, such as a ``Tensor/constant(_:)``, gets a copy for each).
    let storageKey: String
    private static let openedLock = NSLock()
    nonisolated(unsafe) private static var opened = 0

    /// Submissions to the device so far.
    public var submissions: Int { locked { stream.submissions } }

    /// Dispatches, submissions, waits, bytes each way (tensors uploaded, tensors read) and barriers so far.
    public var traffic: BackendTraffic? {
        locked {
            BackendTraffic(dispatches: stream.recorded, submissions: stream.submissions, waits: stream.waits, bytesToDevice: uploaded,
                           bytesToHost: readBack, barriers: stream.barriers)
        }
    }
    /// Guarded by the backend's lock.
    var uploaded = 0, readBack = 0

    /// Bytes of device memory held, in use or pooled.
    public var allocatedBytes: Int { pool.allocatedBytes }

    /// Waits for all recorded work.
    public func synchronize() throws {
        try locked { () throws(VulkanError) in try stream.submitAndWait() }
    }

    /// Submits the recorded work without waiting for it: the device runs it while the host records more.
    public func commit() throws {
        try locked { () throws(VulkanError) in try stream.submit() }
    }

    public func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float] {
        switch try compute(op, inputs, output: output) {
        case .host(let values): return values
        case .device(let storage): return try storage.read()
        }
    }

    public func compute(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> TensorData {
        if case .reshape = op {
            // The same elements: share the buffer (or the host values).
            if let storage = inputs[0].existingDeviceStorage(on: storageKey) { return .device(storage) }
            return .host(inputs[0].values)
        }
        return try locked { () throws -> TensorData in .device(try encode(op, inputs, output: output)) }
    }

    func locked<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    // MARK: - Buffers and dispatches, for the op encoders

    /// A new buffer for `count` elements.
    func allocate(_ count: Int) throws(VulkanError) -> VulkanBuffer {
        VulkanBuffer(try pool.take(bytes: max(count, 1) * 4, staging: false), count: count, backend: self)
    }

    /// The buffer holding `tensor`'s elements: its own when computed here, else a copy uploaded once.
    func buffer(_ tensor: Tensor) throws -> VulkanBuffer {
        try tensor.deviceStorage(on: storageKey) { values throws -> any DeviceStorage in try upload(values) } as! VulkanBuffer
    }

    /// Copies `values` into a new buffer through a staging block, which goes back to the pool once the copy
    /// has run: the host fills the next batch's while the device still computes the last step, and a device
    /// block that recorded work may still read is never written by the host.
    private func upload(_ values: [Float]) throws(VulkanError) -> VulkanBuffer {
        let buffer = try allocate(values.count)
        guard !values.isEmpty else { return buffer }
        let bytes = values.count * 4
        uploaded += bytes
        let staging = try pool.take(bytes: bytes, staging: true)
        values.withUnsafeBytes { staging.mapped!.copyMemory(from: $0.baseAddress!, byteCount: bytes) }
        try stream.copy(from: staging, to: buffer.block, bytes: bytes) { [pool] in pool.give(staging) }
        return buffer
    }

    /// Records `shader` with `buffers` at their bindings (the result at binding 6).
    func dispatch(_ shader: Shader, _ buffers: [Int: VulkanBuffer], _ constants: [UInt32], groups: (Int, Int, Int)) throws(VulkanError) {
        try stream.dispatch(shader, buffers: buffers, constants: constants, groups: groups)
    }

    /// Workgroups for a grid-stride loop over `count` items, `size` per workgroup.
    static func groups(_ count: Int, _ size: Int) -> (Int, Int, Int) { (max(1, min((count + size - 1) / size, 65535)), 1, 1) }
}
