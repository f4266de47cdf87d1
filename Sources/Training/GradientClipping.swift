import Compute

/// Scales gradients so that their global L2 norm is at most `maxNorm`, as `clip_grad_norm_`
/// (coefficient maxNorm / (norm + 1e-6) when below 1), with tensor operations: on a GPU backend
/// nothing is read back.
public enum GradientClipping {
    /// Clips `gradients` in place; returns the norm before clipping, a scalar tensor.
    @discardableResult
    public static func clip(_ gradients: inout [String: Tensor], maxNorm: Float) throws(ComputeError) -> Tensor {
        let (norm, factor) = try factor(gradients, maxNorm: maxNorm)
        if let factor { for (name, g) in gradients { gradients[name] = try g * factor } }
        return norm
    }

    /// The gradients' global norm, and the factor that clips them to `maxNorm` (1 where the norm is below it;
    /// nil when `maxNorm` is 0): scalar tensors. An optimizer takes the factor as its step's `gradientScale`, and
    /// scales each gradient in the kernel that reads it, where ``clip(_:maxNorm:)`` writes every gradient again.
    public static func factor(_ gradients: [String: Tensor], maxNorm: Float) throws(ComputeError) -> (norm: Tensor, factor: Tensor?) {
        // Every gradient's squares, then their sums, then the total in pairs: each round's ops do not depend
        // on one another, so a device runs each round side by side, and adds the sums in log₂(n) rounds.
        var squares: [Tensor] = []
        for name in gradients.keys.sorted() {
            let g = gradients[name]!
            squares.append(try g * g)
        }
        var sums: [Tensor] = []
        for square in squares { sums.append(try square.sum()) }
        squares = []
        while sums.count > 1 {
            var pairs: [Tensor] = []
            for i in stride(from: 0, to: sums.count, by: 2) { pairs.append(i + 1 < sums.count ? try sums[i] + sums[i + 1] : sums[i]) }
            sums = pairs
        }
        let norm = try (sums.first ?? Tensor.constant(0)).sqrt()
        guard maxNorm > 0 else { return (norm, nil) }
        // min(coefficient, 1), exactly: c where c < 1, else 1 (the gradients are then left as they are).
        let coefficient = try Tensor.constant(maxNorm) / (norm + Tensor.constant(1e-6))
        let below = try Tensor.apply(.positive, [Tensor.constant(1) - coefficient])
        return (norm, try below * coefficient + (Tensor.constant(1) - below))
    }
}
