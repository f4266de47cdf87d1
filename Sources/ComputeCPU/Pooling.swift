import Compute

/// Max and average pooling over NCHW windows, and their gradients.
enum Pooling {
    /// Calls `body(plane, outIndex, inputIndices)` for each output element, with the in-image positions of its window.
    private static func forEachWindow(_ xs: Shape, _ p: Pool2D, _ body: (Int, Int, [Int]) -> Void) {
        let (planes, h, w) = (xs[0] * xs[1], xs[2], xs[3])
        let (oh, ow) = p.outputSize(h, w)
        for plane in 0..<planes {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var window: [Int] = []
                    for ky in 0..<p.kernel {
                        let iy = oy * p.stride - p.padding + ky
                        guard iy >= 0 && iy < h else { continue }
                        for kx in 0..<p.kernel {
                            let ix = ox * p.stride - p.padding + kx
                            guard ix >= 0 && ix < w else { continue }
                            window.append(plane * h * w + iy * w + ix)
                        }
                    }
                    body(plane, (plane * oh + oy) * ow + ox, window)
                }
            }
        }
    }

    static func max(_ input: Tensor, _ p: Pool2D, _ output: Shape) -> [Float] {
        let x = input.values
        var result = [Float](repeating: -.infinity, count: output.count)
        forEachWindow(input.shape, p) { _, o, window in result[o] = window.map { x[$0] }.max() ?? -.infinity }
        return result
    }

    /// The gradient goes to the first maximum of each window (as PyTorch's max_pool2d).
    static func maxGradient(_ input: Tensor, _ gradient: Tensor, _ p: Pool2D) -> [Float] {
        let (x, g) = (input.values, gradient.values)
        var result = [Float](repeating: 0, count: input.shape.count)
        forEachWindow(input.shape, p) { _, o, window in
            guard var best = window.first else { return }
            for i in window where x[i] > x[best] { best = i }
            result[best] += g[o]
        }
        return result
    }

    /// Zero padding counts towards the average (PyTorch's count_include_pad).
    static func average(_ input: Tensor, _ p: Pool2D, _ output: Shape) -> [Float] {
        let x = input.values
        let area = Double(p.kernel * p.kernel)
        var result = [Float](repeating: 0, count: output.count)
        forEachWindow(input.shape, p) { _, o, window in result[o] = Float(window.reduce(0.0) { $0 + Double(x[$1]) } / area) }
        return result
    }

    static func averageGradient(_ gradient: Tensor, _ p: Pool2D, _ xs: Shape) -> [Float] {
        let g = gradient.values
        let area = Float(p.kernel * p.kernel)
        var result = [Float](repeating: 0, count: xs.count)
        forEachWindow(xs, p) { _, o, window in for i in window { result[i] += g[o] / area } }
        return result
    }
}
