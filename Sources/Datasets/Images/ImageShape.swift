/// The size of every image of a dataset: channels (planes) × height × width, one byte per value.
public struct ImageShape: Sendable, Hashable, Codable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// CIFAR-10's: three planes (R, G, B) of 32×32.
    public static let cifar = ImageShape(channels: 3, height: 32, width: 32)

    /// Bytes of one image.
    public var bytes: Int { channels * height * width }
    /// `[channels, height, width]`, as a tensor's shape after the batch axis.
    public var dimensions: [Int] { [channels, height, width] }
    public var description: String { "\(channels)×\(height)×\(width)" }
}
