import Datasets
import Pipeline

/// An IDX dataset stage's options (`with:`), read once by the one parser that `validate` and `run` share.
struct IDXOptions {
    /// The four files to fetch, with their checksums.
    var sources: [DatasetSource]
    /// The folder they come from (a URL or a local path).
    var base: String
    /// A seeded, class-stratified subset of the training images.
    var trainSubset: Int?
    /// Images held out of training for validation.
    var validation = 0
    /// The split's seed; nil: the pipeline's.
    var seed: Int?

    /// Reads `with` for `dataset`, adding a problem for each malformed option.
    init(_ with: [String: ConfigValue], dataset: IDXDataset, problems: inout [StageOptionProblem]) {
        let reader = OptionReader(with)
        let url = reader.string("url", &problems), path = reader.string("path", &problems)
        trainSubset = reader.int("train_subset", minimum: 1, &problems)
        validation = reader.int("validation", minimum: 0, &problems) ?? 0
        seed = reader.int("seed", minimum: 0, &problems)
        if url != nil && path != nil { problems.append(.init(option: "path", message: "give either url or path, not both")) }
        var checksums = dataset.defaultChecksums
        var given = 0
        for algorithm in [Checksum.Algorithm.md5, .sha256] {
            let option = algorithm.rawValue
            guard let value = with[option] else { continue }
            guard case .object(let digests) = value else {
                problems.append(.init(option: option, message: "must map each file's name to its \(option), found \(value.typeName) \(value)"))
                continue
            }
            for (name, digest) in digests.sorted(by: { $0.key < $1.key }) {
                guard let index = IDXDataset.fileNames.firstIndex(of: name) else {
                    problems.append(.init(option: "\(option).\(name)", message: "is not one of the files: \(IDXDataset.fileNames.joined(separator: ", "))"))
                    continue
                }
                var text = ""
                if case .string(let s) = digest { text = s }
                let checksum = algorithm == .md5 ? Checksum.md5(text) : Checksum.sha256(text)
                guard checksum.isWellFormed else {
                    problems.append(.init(option: "\(option).\(name)", message: "must be \(algorithm == .md5 ? 32 : 64) hex digits, found \(digest)"))
                    continue
                }
                checksums[index] = checksum
                given += 1
            }
        }
        if with["md5"] != nil && with["sha256"] != nil {
            problems.append(.init(option: "sha256", message: "give either md5 or sha256, not both"))
        } else if given > 0 && given < IDXDataset.fileNames.count {
            problems.append(.init(option: with["md5"] != nil ? "md5" : "sha256",
                                  message: "name all four files (\(IDXDataset.fileNames.joined(separator: ", "))), or none for the official ones"))
        }
        base = path ?? url ?? dataset.defaultURL
        sources = IDXDataset.sources(base: base, checksums: checksums)
    }
}
