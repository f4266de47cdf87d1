import Compute

/// `y = x Wᵀ + b`, x `[n, in]`; weight stored `[out, in]` as PyTorch stores it.
public struct Linear: Layer {
    public let path: String
    public let inputs: Int, outputs: Int
    public let bias: Bool

    public init(_ path: String, _ inputs: Int, _ outputs: Int, bias: Bool = true) {
        self.path = path
        self.inputs = inputs
        self.outputs = outputs
        self.bias = bias
    }

    public func declare(_ d: inout Declarations) {
        let bound = 1 / Float(inputs).squareRoot()
        d.parameter(path + ".weight", d.uniform([outputs, inputs], bound: bound))
        if bias { d.parameter(path + ".bias", d.uniform([outputs], bound: bound)) }
    }

    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        let y = try x.matmul(c.parameter(path + ".weight").transposed([1, 0]))
        return bias ? try y + c.parameter(path + ".bias") : y
    }
}
