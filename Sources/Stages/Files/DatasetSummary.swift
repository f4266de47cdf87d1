/// `dataset.json`, written by a dataset stage (`cifar10`): where the images come from, their classes,
/// and how many of each class each split holds. The index lists `train.indices` and
/// `validation.indices` lie beside it.
struct DatasetSummary: StageFile, Equatable {
    static let fileName = "dataset.json"
    static let writtenBy = "a cifar10 stage"

    /// How many images of a split, in all and per class.
    struct Split: Codable, Equatable {
        var count: Int
        var perClass: [Int]

        enum CodingKeys: String, CodingKey {
            case count
            case perClass = "per_class"
        }
    }

    /// The dataset's name: `cifar10`.
    var dataset: String
    /// `md5:…` or `sha256:…` of the archive.
    var checksum: String
    /// The archive's URL or path.
    var source: String
    var classes: [String]
    /// The seed of the split.
    var seed: Int
    var train: Split
    var validation: Split
    var test: Split
}
