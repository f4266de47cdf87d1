import Compute
import Foundation

/// Batch normalisation over N, H, W of NCHW tensors, in plain loops and Double: the reference the
/// fast kernels are tested against.
enum BatchNormalization {
    /// (channels, images, plane size) of an NCHW shape.
    static func geometry(_ shape: Shape) -> (c: Int, n: Int, plane: Int) { (shape[1], shape[0], shape[2] * shape[3]) }

    /// The offsets of channel `channel`'s elements.
    static func offsets(_ shape: Shape, channel: Int) -> [Int] {
        let (c, n, plane) = geometry(shape)
        var result: [Int] = []
        for image in 0..<n {
            let start = (image * c + channel) * plane
            result.append(contentsOf: start..<(start + plane))
        }
        return result
    }

    static func moments(_ input: Tensor) -> [Float] {
        let x = input.values, c = input.shape[1]
        var result = [Float](repeating: 0, count: 2 * c)
        for channel in 0..<c {
            let elements = offsets(input.shape, channel: channel).map { Double(x[$0]) }
            let mean = elements.reduce(0, +) / Double(elements.count)
            result[channel] = Float(mean)
            result[c + channel] = Float(elements.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(elements.count))
        }
        return result
    }

    static func forward(_ input: Tensor, _ moments: Tensor, _ scale: Tensor, _ shift: Tensor, epsilon: Float) -> [Float] {
        let x = input.values, m = moments.values, c = input.shape[1]
        var result = [Float](repeating: 0, count: x.count)
        for channel in 0..<c {
            let inverse = 1 / (Double(m[c + channel]) + Double(epsilon)).squareRoot()
            for i in offsets(input.shape, channel: channel) {
                result[i] = Float((Double(x[i]) - Double(m[channel])) * inverse * Double(scale.values[channel]) + Double(shift.values[channel]))
            }
        }
        return result
    }

    /// `[Σ g · x̂, Σ g]` per channel.
    static func affineGradient(_ input: Tensor, _ moments: Tensor, _ gradient: Tensor, epsilon: Float) -> [Float] {
        let x = input.values, m = moments.values, g = gradient.values, c = input.shape[1]
        var result = [Float](repeating: 0, count: 2 * c)
        for channel in 0..<c {
            let inverse = 1 / (Double(m[c + channel]) + Double(epsilon)).squareRoot()
            var (scaleGradient, shiftGradient) = (0.0, 0.0)
            for i in offsets(input.shape, channel: channel) {
                scaleGradient += Double(g[i]) * (Double(x[i]) - Double(m[channel])) * inverse
                shiftGradient += Double(g[i])
            }
            result[channel] = Float(scaleGradient)
            result[c + channel] = Float(shiftGradient)
        }
        return result
    }

    /// ∂x = γ / σ · (g − Σg / m − x̂ · Σ(g · x̂) / m), m = N·H·W.
    static func inputGradient(_ input: Tensor, _ moments: Tensor, _ scale: Tensor, _ gradient: Tensor, _ affine: Tensor,
                              epsilon: Float) -> [Float] {
        let x = input.values, m = moments.values, g = gradient.values, a = affine.values, c = input.shape[1]
        let count = Double(input.shape.count / c)
        var result = [Float](repeating: 0, count: x.count)
        for channel in 0..<c {
            let inverse = 1 / (Double(m[c + channel]) + Double(epsilon)).squareRoot()
            for i in offsets(input.shape, channel: channel) {
                let normalized = (Double(x[i]) - Double(m[channel])) * inverse
                let centred = Double(g[i]) - Double(a[c + channel]) / count - normalized * Double(a[channel]) / count
                result[i] = Float(Double(scale.values[channel]) * inverse * centred)
            }
        }
        return result
    }
}
