/// A tensor's elements in a backend's own memory (a GPU buffer), copied to the host only when read.
public protocol DeviceStorage: AnyObject, Sendable {
    /// Names the memory's owner (a backend and device, such as `vulkan:0`).
    var backendName: String { get }
    /// Asks for the elements to be brought to the host with the next batch of work, so that reading
    /// many tensors costs one round trip (see ``Tensor/prepareToRead(_:)``).
    func prepareRead()
    /// The elements, row-major, once the work that computes them has finished.
    func read() throws -> [Float]
}

extension DeviceStorage {
    public func prepareRead() {}
}

/// Where a backend left an op's result.
public enum TensorData: Sendable {
    /// On the host, row-major.
    case host([Float])
    /// In the backend's memory, read on demand.
    case device(any DeviceStorage)
}
