import Compute

/// 2-D convolution over NCHW, weight `[out, in / groups, k, k]`, PyTorch's default initialisation.
public struct Conv2d: Layer {
    public let path: String
    public let inputs: Int, outputs: Int, kernel: Int, stride: Int, padding: Int, groups: Int
    public let bias: Bool

    public init(_ path: String, _ inputs: Int, _ outputs: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                groups: Int = 1, bias: Bool = true) {
        self.path = path
        self.inputs = inputs
        self.outputs = outputs
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.groups = groups
        self.bias = bias
    }

    public func declare(_ d: inout Declarations) {
        let fanIn = inputs / groups * kernel * kernel
        let bound = 1 / Float(fanIn).squareRoot()
        d.parameter(path + ".weight", d.uniform([outputs, inputs / groups, kernel, kernel], bound: bound))
        if bias { d.parameter(path + ".bias", d.uniform([outputs], bound: bound)) }
    }

    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        let y = try x.conv2d(c.parameter(path + ".weight"), stride: stride, padding: padding, groups: groups)
        return bias ? try y + c.parameter(path + ".bias").reshaped([1, outputs, 1, 1]) : y
    }
}
