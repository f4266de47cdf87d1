import Compute

/// Direct 2-D convolution and its two gradients, NCHW, with stride, padding and groups.
enum Convolution {
    /// Calls `body(n, o, oy, ox, c, ky, kx, iy, ix)` for every product term whose input position is inside the image.
    private static func forEachTerm(_ x: Shape, _ w: Shape, _ c: Conv2D, _ oh: Int, _ ow: Int,
                                    _ body: (Int, Int, Int, Int, Int, Int, Int, Int, Int) -> Void) {
        let (n, inChannels, h, width) = (x[0], x[1], x[2], x[3])
        let (outChannels, perGroup, kh, kw) = (w[0], w[1], w[2], w[3])
        let outPerGroup = outChannels / c.groups
        for b in 0..<n {
            for o in 0..<outChannels {
                let group = o / outPerGroup
                for oy in 0..<oh {
                    for ox in 0..<ow {
                        for ci in 0..<perGroup {
                            let channel = group * perGroup + ci
                            precondition(channel < inChannels)
                            for ky in 0..<kh {
                                let iy = oy * c.stride.0 - c.padding.0 + ky
                                guard iy >= 0 && iy < h else { continue }
                                for kx in 0..<kw {
                                    let ix = ox * c.stride.1 - c.padding.1 + kx
                                    guard ix >= 0 && ix < width else { continue }
                                    body(b, o, oy, ox, ci, ky, kx, iy, ix)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static func forward(_ input: Tensor, _ weight: Tensor, _ c: Conv2D, _ output: Shape) -> [Float] {
        let (x, w, xs, ws, os) = (input.values, weight.values, input.shape, weight.shape, output)
        let perGroup = ws[1], outPerGroup = ws[0] / c.groups
        var result = [Double](repeating: 0, count: os.count)
        forEachTerm(xs, ws, c, os[2], os[3]) { b, o, oy, ox, ci, ky, kx, iy, ix in
            let channel = (o / outPerGroup) * perGroup + ci
            let xi = ((b * xs[1] + channel) * xs[2] + iy) * xs[3] + ix
            let wi = ((o * ws[1] + ci) * ws[2] + ky) * ws[3] + kx
            result[((b * os[1] + o) * os[2] + oy) * os[3] + ox] += Double(x[xi]) * Double(w[wi])
        }
        return result.map { Float($0) }
    }

    /// grad of output `[n, o, oh, ow]`, weight → grad of input.
    static func inputGradient(_ gradient: Tensor, _ weight: Tensor, _ c: Conv2D, _ xs: Shape) -> [Float] {
        let (g, w, gs, ws) = (gradient.values, weight.values, gradient.shape, weight.shape)
        let perGroup = ws[1], outPerGroup = ws[0] / c.groups
        var result = [Double](repeating: 0, count: xs.count)
        forEachTerm(xs, ws, c, gs[2], gs[3]) { b, o, oy, ox, ci, ky, kx, iy, ix in
            let channel = (o / outPerGroup) * perGroup + ci
            let gi = ((b * gs[1] + o) * gs[2] + oy) * gs[3] + ox
            let wi = ((o * ws[1] + ci) * ws[2] + ky) * ws[3] + kx
            result[((b * xs[1] + channel) * xs[2] + iy) * xs[3] + ix] += Double(g[gi]) * Double(w[wi])
        }
        return result.map { Float($0) }
    }

    /// input, grad of output → grad of weight.
    static func weightGradient(_ input: Tensor, _ gradient: Tensor, _ c: Conv2D, _ ws: Shape) -> [Float] {
        let (x, g, xs, gs) = (input.values, gradient.values, input.shape, gradient.shape)
        let perGroup = ws[1], outPerGroup = ws[0] / c.groups
        var result = [Double](repeating: 0, count: ws.count)
        forEachTerm(xs, ws, c, gs[2], gs[3]) { b, o, oy, ox, ci, ky, kx, iy, ix in
            let channel = (o / outPerGroup) * perGroup + ci
            let xi = ((b * xs[1] + channel) * xs[2] + iy) * xs[3] + ix
            let gi = ((b * gs[1] + o) * gs[2] + oy) * gs[3] + ox
            result[((o * ws[1] + ci) * ws[2] + ky) * ws[3] + kx] += Double(x[xi]) * Double(g[gi])
        }
        return result.map { Float($0) }
    }
}
