/// Images with labels, in CIFAR-10's binary layout: each image 3 planes (R, G, B) of 32×32 bytes.
public struct LabeledImages: Sendable, Equatable {
    public static let channels = 3, height = 32, width = 32
    public static let bytesPerImage = channels * height * width

    /// `count × 3072` bytes, image after image.
    public var pixels: [UInt8]
    public var labels: [UInt8]

    public init(pixels: [UInt8] = [], labels: [UInt8] = []) {
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// The bytes of image `i`.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        pixels[i * LabeledImages.bytesPerImage..<(i + 1) * LabeledImages.bytesPerImage]
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        var result = LabeledImages()
        result.pixels.reserveCapacity(indices.count * LabeledImages.bytesPerImage)
        for i in indices {
            result.pixels += image(i)
            result.labels.append(labels[i])
        }
        return result
    }

    /// How many images each class has.
    public func countsPerClass(classes: Int) -> [Int] {
        var counts = Array(repeating: 0, count: classes)
        for label in labels where Int(label) < classes { counts[Int(label)] += 1 }
        return counts
    }
}
