/// Images with labels: each image `shape.channels` planes of `shape.height × shape.width` bytes, as in
/// CIFAR-10's binary layout (MNIST-like sets have one plane).
public struct LabeledImages: Sendable, Equatable {
    public var shape: ImageShape

    /// `count × shape.bytes` bytes, image after image.
    public var pixels: [UInt8]
    public var labels: [UInt8]

    public init(shape: ImageShape = .cifar, pixels: [UInt8] = [], labels: [UInt8] = []) {
        self.shape = shape
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// Bytes of one image.
    public var bytesPerImage: Int { shape.bytes }

    /// The bytes of image `i`.
    public func image(_ i: Int) -> ArraySlice<UInt8> {
        pixels[i * bytesPerImage..<(i + 1) * bytesPerImage]
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> LabeledImages {
        var result = LabeledImages(shape: shape)
        result.pixels.reserveCapacity(indices.count * bytesPerImage)
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
