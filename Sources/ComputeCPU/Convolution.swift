import Compute

/// Direct 2-D convolution and its two gradients, NCHW, with stride, padding and groups.
enum Convolution {
    /// Calls `body(inputIndex, weightIndex, outputIndex)` for every product term of the convolution
    /// whose input position lies inside the image: the three directions differ only in which of the
    /// three they accumulate into.
    private static func forEachTerm(input xs: Shape, weight ws: Shape, output os: Shape, _ c: Conv2D,
                                    _ body: (Int, Int, Int) -> Void) {
        let (perGroup, kh, kw) = (ws[1], ws[2], ws[3])
        let outPerGroup = ws[0] / c.groups
        for b in 0..<xs[0] {
            for o in 0..<ws[0] {
                let firstChannel = (o / outPerGroup) * perGroup
                for oy in 0..<os[2] {
                    for ox in 0..<os[3] {
                        let oi = ((b * os[1] + o) * os[2] + oy) * os[3] + ox
                        for ci in 0..<perGroup {
                            for ky in 0..<kh {
                                let iy = oy * c.stride.0 - c.padding.0 + ky
                                guard iy >= 0 && iy < xs[2] else { continue }
                                for kx in 0..<kw {
                                    let ix = ox * c.stride.1 - c.padding.1 + kx
                                    guard ix >= 0 && ix < xs[3] else { continue }
                                    let xi = ((b * xs[1] + firstChannel + ci) * xs[2] + iy) * xs[3] + ix
                                    let wi = ((o * ws[1] + ci) * ws[2] + ky) * ws[3] + kx
                                    body(xi, wi, oi)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func forward(_ input: Tensor, _ weight: Tensor, _ c: Conv2D, _ output: Shape) -> [Float] {
        let (x, w) = (input.values, weight.values)
        var result = [Double](repeating: 0, count: output.count)
        forEachTerm(input: input.shape, weight: weight.shape, output: output, c) { xi, wi, oi in
            result[oi] += Double(x[xi]) * Double(w[wi])
        }
        return result.map { Float($0) }
    }

    /// grad of output `[n, o, oh, ow]`, weight → grad of input.
    static func inputGradient(_ gradient: Tensor, _ weight: Tensor, _ c: Conv2D, _ inputShape: Shape) -> [Float] {
        let (g, w) = (gradient.values, weight.values)
        var result = [Double](repeating: 0, count: inputShape.count)
        forEachTerm(input: inputShape, weight: weight.shape, output: gradient.shape, c) { xi, wi, oi in
            result[xi] += Double(g[oi]) * Double(w[wi])
        }
        return result.map { Float($0) }
    }

    /// input, grad of output → grad of weight.
    static func weightGradient(_ input: Tensor, _ gradient: Tensor, _ c: Conv2D, _ weightShape: Shape) -> [Float] {
        let (x, g) = (input.values, gradient.values)
        var result = [Double](repeating: 0, count: weightShape.count)
        forEachTerm(input: input.shape, weight: weightShape, output: gradient.shape, c) { xi, wi, oi in
            result[wi] += Double(x[xi]) * Double(g[oi])
        }
        return result.map { Float($0) }
    }
}
