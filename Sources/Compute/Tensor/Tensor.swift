import Foundation

/// An n-dimensional array of Float32, contiguous and row-major, with the record of how it was
/// computed when it depends on something being differentiated (see ``valueAndGradient(of:at:)``).
public struct Tensor: Sendable, CustomStringConvertible {
    public let shape: Shape
    let storage: Storage
    /// How this tensor was computed, when it depends on a tensor being differentiated.
    let node: Node?

    /// A tensor with these elements, row-major.
    public init(_ values: [Float], shape: Shape) {
        precondition(values.count == shape.count, "Tensor: \(values.count) values cannot fill shape \(shape)")
        self.shape = shape
        storage = Storage(values)
        node = nil
    }

    /// A scalar.
    public init(_ value: Float) { self.init([value], shape: []) }

    init(shape: Shape, storage: Storage, node: Node?) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    public static func zeros(_ shape: Shape) -> Tensor { Tensor([Float](repeating: 0, count: shape.count), shape: shape) }
    public static func ones(_ shape: Shape) -> Tensor { Tensor([Float](repeating: 1, count: shape.count), shape: shape) }

    /// The elements, row-major.
    public var values: [Float] { storage.values }

    /// The single element of a one-element tensor.
    public var scalar: Float {
        precondition(shape.count == 1, "scalar: the tensor has shape \(shape)")
        return storage.values[0]
    }

    /// The elements in the memory `backend` names (a ``DeviceStorage/backendName``): the tensor's own
    /// when it was computed there, else a copy that `upload` makes of its values once and the tensor keeps.
    public func deviceStorage(on backend: String, upload: ([Float]) throws -> any DeviceStorage) rethrows -> any DeviceStorage {
        try storage.copy(on: backend, upload)
    }

    /// The elements in `backend`'s memory when they are there already (computed there, or copied).
    public func existingDeviceStorage(on backend: String) -> (any DeviceStorage)? { storage.existing(on: backend) }

    /// The device memory holding this tensor's elements when a backend computed it and it has not
    /// been read yet; nil when they are on the host.
    public var pendingDeviceStorage: (any DeviceStorage)? { storage.isOnHost ? nil : storage.device }

    /// Asks the backends to bring all of `tensors` to the host in one round trip; reading them after
    /// this (``values``) waits once rather than once each.
    public static func prepareToRead(_ tensors: [Tensor]) {
        for tensor in tensors { tensor.pendingDeviceStorage?.prepareRead() }
    }

    /// The same values without the record of how they were computed: gradients stop here.
    public var detached: Tensor { Tensor(shape: shape, storage: storage, node: nil) }

    public var description: String { "Tensor\(shape)\(storage.values.prefix(8))\(shape.count > 8 ? "…" : "")" }
}

/// A tensor's elements, on the host or in a backend's memory; shared between tensors that reshape or
/// detach it. Elements computed on a device are copied to the host once, when first read; a host
/// tensor keeps the copies backends make of it (so that a weight is uploaded once per step).
final class Storage: @unchecked Sendable {
    private let lock = NSLock()
    private var host: [Float]?
    let device: (any DeviceStorage)?
    private var copies: [String: any DeviceStorage] = [:]

    init(_ values: [Float]) {
        host = values
        device = nil
    }

    init(_ data: TensorData) {
        switch data {
        case .host(let values): host = values; device = nil
        case .device(let storage): host = nil; device = storage
        }
    }

    var values: [Float] {
        lock.lock()
        defer { lock.unlock() }
        if let host { return host }
        do {
            let values = try device!.read()
            host = values
            return values
        } catch {
            fatalError("reading a tensor back from the \(device!.backendName) backend failed: \(error)")
        }
    }

    /// Whether the elements are on the host already.
    var isOnHost: Bool {
        lock.lock()
        defer { lock.unlock() }
        return host != nil
    }

    func existing(on backend: String) -> (any DeviceStorage)? {
        if let device, device.backendName == backend { return device }
        lock.lock()
        defer { lock.unlock() }
        return copies[backend]
    }

    func copy(on backend: String, _ make: ([Float]) throws -> any DeviceStorage) rethrows -> any DeviceStorage {
        if let device, device.backendName == backend { return device }
        let values = self.values
        lock.lock()
        defer { lock.unlock() }
        if let copy = copies[backend] { return copy }
        let copy = try make(values)
        copies[backend] = copy
        return copy
    }
}

/// A step of a computation being differentiated: a leaf (an argument of the function) or an op
/// applied to tensors.
final class Node: @unchecked Sendable {
    enum Kind {
        case leaf(Int)
        case op(Op, [Tensor])
    }

    let kind: Kind
    init(_ kind: Kind) { self.kind = kind }
}
