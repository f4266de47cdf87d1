import Foundation

/// Runs the primitives of ``Op`` on some device. Shapes are checked before a backend is called, so it
/// may trust them. A backend is an allocator, kernels and a runtime (as tinygrad's are).
public protocol Backend: Sendable {
    /// `cpu`, `reference`, `vulkan`…
    var name: String { get }
    /// Computes `op` of `inputs`, whose result has shape `output`.
    func run(_ op: Op, _ inputs: [Tensor], output: Shape) throws -> [Float]
}

/// The backend new tensors are computed on, chosen by name.
public enum Backends {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [String: any Backend] = [:]
    nonisolated(unsafe) private static var active: (any Backend)?

    /// Makes a backend available by its name.
    public static func register(_ backend: any Backend) {
        lock.lock()
        defer { lock.unlock() }
        registered[backend.name] = backend
        if active == nil { active = backend }
    }

    /// The backend in use.
    public static var current: any Backend {
        lock.lock()
        defer { lock.unlock() }
        guard let active else { preconditionFailure("no compute backend is registered; register one (e.g. ReferenceBackend) first") }
        return active
    }

    /// Uses the backend registered under `name`.
    public static func use(_ name: String) throws(ComputeError) {
        lock.lock()
        defer { lock.unlock() }
        guard let backend = registered[name] else {
            throw ComputeError("no compute backend named '\(name)'; registered: \(registered.keys.sorted().joined(separator: ", "))")
        }
        active = backend
    }
}
