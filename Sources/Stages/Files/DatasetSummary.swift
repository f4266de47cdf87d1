/// `dataset.json`, written by a dataset stage (`cifar10`, `mnist`, `fashion-mnist`, `kmnist`): where the images come from, their classes,
/// and how many of each class each split holds. The index lists `train.indices` and
/// `validation.indices` lie beside it.
struct DatasetSummary: StageFile, Equatable {
    static let fileName = "dataset.json"
    static let writtenBy = "a dataset stage (cifar10, mnist, fashion-mnist, kmnist)"

    /// How many images of a split, in all and per class.
    struct Split: Codable, Equatable {
        var count: Int
        var perClass: [Int]

        enum CodingKeys: String, CodingKey {
            case count
            case perClass = "per_class"
        }
    }

    /// One file of a dataset published as several (the IDX sets' four).
    struct File: Codable, Equatable {
        var name: String
        /// Its URL or path.
        var source: String
        /// `md5:…` or `sha256:…`.
        var checksum: String
    }

    /// The dataset's name: `cifar10`, `mnist`, `fashion-mnist` or `kmnist`.
    var dataset: String
    /// `md5:…` or `sha256:…` of the archive (nil for a dataset of several files).
    var checksum: String?
    /// The archive's URL or path, or the folder of the files.
    var source: String
    /// The files, for a dataset published as several.
    var files: [File]?
    /// Each image's channels × height × width (nil: CIFAR-10's 3×32×32).
    var imageShape: String?
    var classes: [String]
    /// The seed of the split.
    var seed: Int
    var train: Split
    var validation: Split
    var test: Split

    enum CodingKeys: String, CodingKey {
        case dataset, checksum, source, files, classes, seed, train, validation, test
        case imageShape = "image_shape"
    }
}
