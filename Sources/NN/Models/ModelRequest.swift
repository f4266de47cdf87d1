/// What a model is built for: its input images, its classes, and the training settings that shape it.
public struct ModelRequest: Sendable, Equatable {
    /// Input planes, height and width.
    public var channels: Int, height: Int, width: Int
    public var classes: Int
    /// The probability of the model's dropout layers (where it has them).
    public var dropout: Float
    /// The MLP's two hidden widths.
    public var hiddenSizes: [Int]

    public static let defaultHiddenSizes = [512, 256]

    public init(channels: Int = 3, height: Int = 32, width: Int = 32, classes: Int = 10, dropout: Float = 0,
                hiddenSizes: [Int] = ModelRequest.defaultHiddenSizes) {
        self.channels = channels
        self.height = height
        self.width = width
        self.classes = classes
        self.dropout = dropout
        self.hiddenSizes = hiddenSizes
    }

    /// `[channels, height, width]`.
    public var inputShape: [Int] { [channels, height, width] }
}
