import Compute

public struct MaxPool2d: Layer {
    public let kernel: Int, stride: Int, padding: Int
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        try x.maxPool2d(kernel: kernel, stride: stride, padding: padding)
    }
}

public struct AvgPool2d: Layer {
    public let kernel: Int, stride: Int, padding: Int
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel
        self.stride = stride ?? kernel
        self.padding = padding
    }
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        try x.avgPool2d(kernel: kernel, stride: stride, padding: padding)
    }
}

/// `[n, c, h, w] → [n, c]`.
public struct GlobalAvgPool2d: Layer {
    public init() {}
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor { try x.globalAvgPool2d() }
}
