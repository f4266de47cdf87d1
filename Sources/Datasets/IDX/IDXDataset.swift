/// The datasets published as four gzip-compressed IDX files — training and test images (`n × rows × cols`
/// bytes) and their labels (`n` bytes) — as MNIST was: MNIST, Fashion-MNIST and Kuzushiji-MNIST.
public enum IDXDataset: String, Sendable, CaseIterable {
    case mnist
    case fashionMNIST = "fashion-mnist"
    case kmnist

    /// The four files, in the order ``load(from:)`` reads them.
    public static let fileNames = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                   "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    /// What each file may decompress to: 60,000 images of 28×28 (47 MB) with room for larger sets.
    public static let maximumFileBytes: Int64 = 256 << 20

    /// The dataset's name in prose.
    public var title: String {
        switch self {
        case .mnist: "MNIST"
        case .fashionMNIST: "Fashion-MNIST"
        case .kmnist: "Kuzushiji-MNIST"
        }
    }

    /// Where the official files are (the folder; each file's name is appended).
    public var defaultURL: String {
        switch self {
        case .mnist: "https://ossci-datasets.s3.amazonaws.com/mnist/"
        case .fashionMNIST: "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
        case .kmnist: "http://codh.rois.ac.jp/kmnist/dataset/kmnist/"
        }
    }

    /// The official files' MD5s (as torchvision records them), in ``fileNames`` order.
    public var defaultChecksums: [Checksum] {
        let digests: [String]
        switch self {
        case .mnist:
            digests = ["f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432",
                       "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"]
        case .fashionMNIST:
            digests = ["8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe",
                       "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"]
        case .kmnist:
            digests = ["bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344",
                       "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"]
        }
        return digests.map(Checksum.md5)
    }

    /// The class names, by label.
    public var classNames: [String] {
        switch self {
        case .mnist: ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
        case .fashionMNIST: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        case .kmnist: ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]
        }
    }

    /// Each file's source: `base` (a folder URL or local folder) with the file's name, and its checksum.
    public static func sources(base: String, checksums: [Checksum]) -> [DatasetSource] {
        let folder = base.hasSuffix("/") ? base : base + "/"
        return zip(fileNames, checksums).map { name, checksum in
            DatasetSource(location: folder + name, checksum: checksum, maximumExtractedBytes: maximumFileBytes,
                          decompressedName: String(name.dropLast(3)))
        }
    }

    /// The training and test images of the four decompressed files at `paths` (``fileNames`` order), labelled
    /// among `classes` classes.
    /// - Parameter pixels: false checks the images' headers and reads labels only, for summaries.
    public static func load(from paths: [String], classes: Int, pixels: Bool = true) throws -> (train: LabeledImages, test: LabeledImages) {
        guard paths.count == 4 else { throw DatasetError("an IDX dataset is four files; \(paths.count) given") }
        let train = try images(paths[0], labels: paths[1], classes: classes, pixels: pixels)
        let test = try images(paths[2], labels: paths[3], classes: classes, pixels: pixels)
        guard train.shape == test.shape else {
            throw DatasetError("\(paths[0]) holds \(train.shape) images but \(paths[2]) holds \(test.shape): not one dataset")
        }
        return (train, test)
    }

    static func images(_ imagePath: String, labels labelPath: String, classes: Int, pixels: Bool) throws -> LabeledImages {
        let labels = try IDXFile.parse(FileReader.readFile(labelPath), path: labelPath)
        guard labels.dimensions.count == 1 else {
            throw DatasetError("\(labelPath) has \(labels.dimensions.count) dimensions; a label file has one")
        }
        if let bad = labels.values.firstIndex(where: { Int($0) >= classes }) {
            throw DatasetError("\(labelPath): label \(bad) is \(labels.values[bad]), but the dataset has only \(classes) classes")
        }
        let images = try IDXFile.parse(FileReader.readFile(imagePath), path: imagePath)
        guard images.dimensions.count == 3 || images.dimensions.count == 4 else {
            throw DatasetError("\(imagePath) has \(images.dimensions.count) dimensions; an image file has three (count, rows, columns) or four")
        }
        let d = images.dimensions
        let shape = d.count == 3 ? ImageShape(channels: 1, height: d[1], width: d[2]) : ImageShape(channels: d[3], height: d[1], width: d[2])
        guard shape.bytes > 0, shape.height <= 1024, shape.width <= 1024, shape.channels <= 4 else {
            throw DatasetError("\(imagePath) declares images of \(shape) pixels; labmake reads images of 1×1 to 4×1024×1024")
        }
        guard d[0] == labels.dimensions[0] else {
            throw DatasetError("\(imagePath) holds \(d[0]) images but \(labelPath) holds \(labels.dimensions[0]) labels: the files do not belong together")
        }
        guard pixels else { return LabeledImages(shape: shape, labels: labels.values) }
        // Interleaved channels (rows × columns × channels) are stored as planes, as the models take them.
        var values = images.values
        if shape.channels > 1 {
            let plane = shape.height * shape.width
            values = [UInt8](repeating: 0, count: images.values.count)
            for i in 0..<d[0] {
                for p in 0..<plane {
                    for c in 0..<shape.channels {
                        values[i * shape.bytes + c * plane + p] = images.values[i * shape.bytes + p * shape.channels + c]
                    }
                }
            }
        }
        return LabeledImages(shape: shape, pixels: values, labels: labels.values)
    }
}

extension IDXDataset {
    /// Fetches (or finds) the four files of `sources` through `cache`, each verified and decompressed, and
    /// returns the decompressed files' paths.
    public static func fetch(_ sources: [DatasetSource], cache: DatasetCache, log: (String) -> Void = { _ in },
                             progress: @escaping (DownloadProgress) -> Void = { _ in }) throws -> [String] {
        try sources.map { source in
            let name = source.decompressedName ?? "data"
            let folder = try cache.fetch(source, validate: { folder in
                let path = folder + "/" + name
                _ = try IDXFile.parse(FileReader.readFile(path), path: path)
            }, log: log, progress: progress)
            return folder + "/" + name
        }
    }
}
