import Foundation

/// Runs the primitives of ``Op`` on some device. Shapes are checked before a backend is called, so it
/// may trust them. A backend is an allocator, kernels and a runtime (as tinygrad's are).
public protocol Backend: Sendable {
    /// `cpu`, `reference`, `vulkan`…
    var name: String { get }
    /// Computes `op` of `inputs`, whose result has shape `output`.
    func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float]
    /// Computes `op` of `inputs`, leaving the result where this backend keeps it. By default, ``run(_:_:output:)``
    /// on the host; a GPU backend keeps it in device memory and reads it back when asked.
    func compute(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> TensorData
    /// Waits until the work handed to the backend so far has finished (for timing).
    func synchronize() throws
    /// Starts the work handed to the backend so far without waiting for it, so that a device runs one
    /// training step while the host prepares the next. Backends that compute at once do nothing.
    func commit() throws
    /// What the backend has done so far between the host and a device; nil for backends on the host.
    var traffic: BackendTraffic? { get }
}

/// Counts of a device backend's work since it was opened: compare two readings to measure a step.
public struct BackendTraffic: Sendable, Equatable {
    /// Kernels recorded, command buffers submitted, times the host waited for the device to finish,
    /// bytes copied to the device and back to the host, and barriers (points where the device waits for
    /// the commands before to finish before it starts those after).
    public var dispatches: Int, submissions: Int, waits: Int, bytesToDevice: Int, bytesToHost: Int, barriers: Int

    public init(dispatches: Int, submissions: Int, waits: Int, bytesToDevice: Int, bytesToHost: Int, barriers: Int = 0) {
        (self.dispatches, self.submissions, self.waits) = (dispatches, submissions, waits)
        (self.bytesToDevice, self.bytesToHost, self.barriers) = (bytesToDevice, bytesToHost, barriers)
    }

    /// The counts between an earlier reading and this one.
    public static func - (later: BackendTraffic, earlier: BackendTraffic) -> BackendTraffic {
        BackendTraffic(dispatches: later.dispatches - earlier.dispatches, submissions: later.submissions - earlier.submissions,
                       waits: later.waits - earlier.waits, bytesToDevice: later.bytesToDevice - earlier.bytesToDevice,
                       bytesToHost: later.bytesToHost - earlier.bytesToHost, barriers: later.barriers - earlier.barriers)
    }
}

extension Backend {
    public func synchronize() throws {}

    public func commit() throws {}

    public var traffic: BackendTraffic? { nil }

    public func compute(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> TensorData {
        .host(try run(op, inputs, output: output))
    }
}

/// The backend new tensors are computed on, chosen by name.
public enum Backends {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [String: any Backend] = [:]
    nonisolated(unsafe) private static var active: (any Backend)?
    /// The order `auto` tries backends in.
    public static let preference = ["vulkan", "cpu", "reference"]

    /// Makes a backend available by its name.
    public static func register(_ backend: any Backend) {
        lock.lock()
        defer { lock.unlock() }
        registered[backend.name] = backend
        if active == nil { active = backend }
    }

    /// A backend bound for the current task, ahead of the process-wide one.
    @TaskLocal private static var scoped: (any Backend)?

    /// Runs `body` with `backend` as the current backend of this task (and its child tasks) only:
    /// tests and tools that run side by side each choose their own.
    public static func with<T>(_ backend: any Backend, _ body: () throws -> T) rethrows -> T {
        try $scoped.withValue(backend) { try body() }
    }

    /// The backend in use.
    public static var current: any Backend {
        if let scoped { return scoped }
        lock.lock()
        defer { lock.unlock() }
        guard let active else { preconditionFailure("no compute backend is registered; register one (e.g. ReferenceBackend) first") }
        return active
    }

    /// The names of the registered backends, sorted.
    public static var names: [String] {
        lock.lock()
        defer { lock.unlock() }
        return registered.keys.sorted()
    }

    /// Uses the backend registered under `name`; `auto` picks the first registered of
    /// ``preference`` (a GPU when there is one, else the CPU).
    public static func use(_ name: String) throws(ComputeError) {
        lock.lock()
        defer { lock.unlock() }
        if name == "auto", let best = preference.lazy.compactMap({ registered[$0] }).first {
            active = best
            return
        }
        guard let backend = registered[name] else {
            throw ComputeError("no compute backend named '\(name)'; registered: \(registered.keys.sorted().joined(separator: ", "))")
        }
        active = backend
    }
}
