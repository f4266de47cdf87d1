import Compute

/// Scales gradients so that their global L2 norm is at most `maxNorm`, as `clip_grad_norm_`
/// (coefficient maxNorm / (norm + 1e-6) when below 1). Returns the norm before clipping.
public enum GradientClipping {
    @discardableResult
    public static func clip(_ gradients: inout [String: Tensor], maxNorm: Float) -> Float {
        var squares = 0.0
        for name in gradients.keys.sorted() { for v in gradients[name]!.values { squares += Double(v) * Double(v) } }
        let norm = Float(squares.squareRoot())
        guard maxNorm > 0 else { return norm }
        let coefficient = maxNorm / (norm + 1e-6)
        guard coefficient < 1 else { return norm }
        for (name, g) in gradients { gradients[name] = Tensor(g.values.map { $0 * coefficient }, shape: g.shape) }
        return norm
    }
}
