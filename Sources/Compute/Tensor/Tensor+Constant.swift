import Foundation

extension Tensor {
    /// The scalar tensor of `value`, made once and shared: a GPU backend uploads a hyperparameter or a
    /// constant of a layer once rather than at every use (a learning rate that changes each step, once
    /// per step). At most ``ConstantTensors/limit`` values are kept; past it the cache starts afresh.
    public static func constant(_ value: Float) -> Tensor { ConstantTensors.shared.tensor(value) }
}

/// The cache behind ``Tensor/constant(_:)``.
public final class ConstantTensors: @unchecked Sendable {
    /// Values kept before the cache starts afresh.
    public static let limit = 1024
    static let shared = ConstantTensors()
    private let lock = NSLock()
    private var tensors: [Float: Tensor] = [:]

    func tensor(_ value: Float) -> Tensor {
        lock.lock()
        defer { lock.unlock() }
        if let tensor = tensors[value], tensor.scalar.bitPattern == value.bitPattern { return tensor }
        if tensors.count >= Self.limit { tensors.removeAll(keepingCapacity: true) }
        let tensor = Tensor(value)
        tensors[value] = tensor
        return tensor
    }
}
