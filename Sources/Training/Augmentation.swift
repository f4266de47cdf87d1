import Datasets
import Randomness

/// How training images are prepared: pixel values scaled to [0, 1] and normalised per channel (a mean of
/// 0 and a standard deviation of 1 leave them in [0, 1], as torchvision's `ToTensor` does); random crops
/// from a 4-pixel zero-padded image, horizontal flips and cutout when training.
public struct Augmentation: Sendable {
    public var mean: [Float]
    public var std: [Float]
    public var cropAndFlip: Bool
    /// Side of the square zeroed (after normalisation) at a random centre; 0 is off.
    public var cutout: Int

    public init(mean: [Float], std: [Float], cropAndFlip: Bool, cutout: Int) {
        self.mean = mean
        self.std = std
        self.cropAndFlip = cropAndFlip
        self.cutout = cutout
    }

    /// Per-channel mean and standard deviation of pixel values in [0, 1] over the images at `indices`.
    public static func statistics(of images: LabeledImages, indices: [Int]) -> (mean: [Float], std: [Float]) {
        let plane = images.shape.height * images.shape.width, channels = images.shape.channels
        var sums = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
        images.pixels.withUnsafeBufferPointer { p in
            for i in indices {
                for c in 0..<channels {
                    let base = i * images.bytesPerImage + c * plane
                    var s = 0, q = 0
                    for j in 0..<plane { let v = Int(p[base + j]); s += v; q += v * v }
                    sums[c] += Double(s)
                    squares[c] += Double(q)
                }
            }
        }
        let n = Double(Swift.max(indices.count, 1) * plane)
        let mean = sums.map { $0 / n / 255 }
        let std = zip(squares, mean).map { Swift.max(($0 / n / 65025 - $1 * $1).squareRoot(), 1e-3) }
        return (mean.map(Float.init), std.map(Float.init))
    }

    /// Scaling to [0, 1] only: `channels` means of 0 and deviations of 1.
    public static func unnormalised(channels: Int) -> (mean: [Float], std: [Float]) {
        (Array(repeating: 0, count: channels), Array(repeating: 1, count: channels))
    }

    /// Writes image `index` of `images`, prepared, into `target` (`images.shape.bytes` floats).
    func prepare(_ images: LabeledImages, _ index: Int, into target: UnsafeMutablePointer<Float>, training: Bool,
                 random: inout SplitMix64) {
        let (h, w, channels) = (images.shape.height, images.shape.width, images.shape.channels)
        var (dy, dx, flip) = (0, 0, false)
        if training && cropAndFlip {
            dy = Int(random.next() % 9) - 4
            dx = Int(random.next() % 9) - 4
            flip = random.next() & 1 == 1
        }
        images.pixels.withUnsafeBufferPointer { p in
            let base = index * images.bytesPerImage
            for c in 0..<channels {
                let scale = 1 / (255 * std[c]), offset = -mean[c] / std[c]
                let padded = offset  // a zero pixel, normalised
                for y in 0..<h {
                    let sy = y + dy
                    let row = target + c * h * w + y * w
                    guard sy >= 0 && sy < h else { for x in 0..<w { row[x] = padded }; continue }
                    for x in 0..<w {
                        let sx = (flip ? w - 1 - x : x) + dx
                        row[x] = sx >= 0 && sx < w ? Float(p[base + c * h * w + sy * w + sx]) * scale + offset : padded
                    }
                }
            }
        }
        if training && cutout > 0 {
            let cy = Int(random.next() % UInt64(h)), cx = Int(random.next() % UInt64(w))
            for c in 0..<channels {
                for y in Swift.max(0, cy - cutout / 2)..<Swift.min(h, cy - cutout / 2 + cutout) {
                    for x in Swift.max(0, cx - cutout / 2)..<Swift.min(w, cx - cutout / 2 + cutout) { target[c * h * w + y * w + x] = 0 }
                }
            }
        }
    }
}
