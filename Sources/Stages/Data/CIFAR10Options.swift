import Datasets
import Pipeline

/// A `cifar10` stage's options (`with:`), read once by the one parser that `validate` and `run` share.
struct CIFAR10Options {
    /// The archive to fetch and its checksum.
    var source: DatasetSource
    /// A seeded, class-stratified subset of the training images.
    var trainSubset: Int?
    /// Images held out of training for validation.
    var validation = 0
    /// The split's seed; nil: the pipeline's.
    var seed: Int?

    /// Reads `with`, adding a problem for each malformed option.
    init(_ with: [String: ConfigValue], problems: inout [StageOptionProblem]) {
        let reader = OptionReader(with)
        let url = reader.string("url", &problems), path = reader.string("path", &problems)
        let md5 = reader.string("md5", &problems), sha256 = reader.string("sha256", &problems)
        trainSubset = reader.int("train_subset", minimum: 1, &problems)
        validation = reader.int("validation", minimum: 0, &problems) ?? 0
        seed = reader.int("seed", minimum: 0, &problems)
        if url != nil && path != nil { problems.append(.init(option: "path", message: "give either url or path, not both")) }
        if md5 != nil && sha256 != nil { problems.append(.init(option: "sha256", message: "give either md5 or sha256, not both")) }
        if let md5, !Checksum.md5(md5).isWellFormed {
            problems.append(.init(option: "md5", message: "must be 32 hex digits, found '\(md5)'"))
        }
        if let sha256, !Checksum.sha256(sha256).isWellFormed {
            problems.append(.init(option: "sha256", message: "must be 64 hex digits, found '\(sha256)'"))
        }
        let checksum = sha256.map(Checksum.sha256) ?? md5.map(Checksum.md5) ?? CIFAR10.defaultChecksum
        source = DatasetSource(location: path ?? url ?? CIFAR10.defaultURL, checksum: checksum,
                               maximumExtractedBytes: CIFAR10.maximumExtractedBytes)
    }
}
