import Compute

/// Branches applied to the same input, their outputs joined along channels (SqueezeNet's fire module
/// expands, ShuffleNet's downsampling unit).
public struct Concatenation: Layer {
    public let branches: [any Layer]
    public init(_ branches: [any Layer]) { self.branches = branches }
    public func declare(_ d: inout Declarations) { for branch in branches { branch.declare(&d) } }
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        var outputs: [Tensor] = []
        for branch in branches { outputs.append(try branch.forward(x, &c)) }
        return try Tensor.concatenate(outputs, axis: 1)
    }
}

/// ShuffleNet V2's basic unit before its shuffle: the input's channels split in two halves, the first kept
/// as it is, the second through `body`, joined again along channels.
public struct ChannelSplit: Layer {
    public let body: any Layer
    public init(_ body: any Layer) { self.body = body }
    public func declare(_ d: inout Declarations) { body.declare(&d) }
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        let half = x.shape[1] / 2
        let kept = try x.sliced(axis: 1, start: 0, count: half)
        let changed = try body.forward(x.sliced(axis: 1, start: half, count: x.shape[1] - half), &c)
        return try Tensor.concatenate([kept, changed], axis: 1)
    }
}

/// ShuffleNet's channel shuffle: channels seen as `groups × (channels / groups)`, transposed, so that the
/// next grouped operation mixes every group.
public struct ChannelShuffle: Layer {
    public let groups: Int
    public init(groups: Int) { self.groups = groups }
    public func declare(_ d: inout Declarations) {}
    public func forward(_ x: Tensor, _ c: inout LayerContext) throws -> Tensor {
        let (n, channels, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        guard channels % groups == 0 else {
            throw ComputeError("channel shuffle: \(channels) channels do not split into \(groups) groups")
        }
        return try x.reshaped([n, groups, channels / groups, h * w]).transposed([0, 2, 1, 3]).reshaped([n, channels, h, w])
    }
}
