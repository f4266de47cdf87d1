import Foundation
import SystemIO
import Tuner
import Yams

/// Reads an NNI experiment config file, v1 (`trainingServicePlatform`, `searchSpacePath`, `tuner.builtinTunerName`, …)
/// or v2 (`searchSpaceFile`, `trialCommand`, `tuner.name`, …), the way NNI 1.8 to 3.0 reads it: keys in any
/// case, with or without underscores (`trial_command`), relative paths resolved against the file's folder.
///
/// Every key is mapped to what labmake does, ignored (named once in ``NNIExperimentConfig/ignoredNotice``)
/// or refused at `file:line:col` with the reason, and an unknown key with the nearest valid one.
public struct NNIConfigReader {
    /// The largest config file read.
    public static let maximumBytes = 1 << 20
    /// Values and nesting an inline search space may have.
    static let maximumValues = 100_000
    static let maximumDepth = 64

    let file: String
    let folder: String
    var problems: [NNIConfigProblem] = []
    var ignored: [String] = []
    var config: NNIExperimentConfig
    var tunerSpec: NNIAlgorithms.Tuner?
    var tunerDirection: Direction?
    var assessorDirection: Direction?
    /// The advisor entry, which NNI takes instead of a tuner and an assessor.
    var advisorEntry: Entry?
    /// `trialGpuNumber` (v1 `trial.gpuNum`) and where it is: judged once the concurrency is known.
    var gpuNumberEntry: (Int, Entry)?

    /// Reads `text`, the content of the config file at `file`.
    public static func read(_ text: String, file: String) throws(NNIConfigError) -> NNIExperimentConfig {
        var reader = NNIConfigReader(file: file)
        return try reader.read(text)
    }

    /// Reads the config file at `path` through `fileSystem`.
    public static func read(path: String, fileSystem: any FileSystem) throws(NNIConfigError) -> NNIExperimentConfig {
        let fail = { (message: String) in NNIConfigError([NNIConfigProblem(file: path, line: 1, column: 1, message: message)], source: "") }
        guard let stat = fileSystem.stat(path) else { throw fail("no NNI config file here") }
        guard stat.kind == .file else { throw fail("not a file") }
        guard stat.size <= Int64(maximumBytes) else { throw fail("the file is \(stat.size) bytes; labmake reads NNI config files of at most \(maximumBytes) bytes") }
        let bytes: [UInt8]
        do { bytes = try fileSystem.readFile(path) } catch { throw fail("cannot read it: \(error)") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("the file is not UTF-8 text") }
        return try read(text, file: path)
    }

    private init(file: String) {
        self.file = file
        let slash = file.lastIndex(of: "/")
        folder = slash.map { $0 == file.startIndex ? "/" : String(file[..<$0]) } ?? FileManager.default.currentDirectoryPath
        config = NNIExperimentConfig(file: file, version: 2, trialCodeDirectory: folder, direction: .maximize, directionSource: "",
                                     assessor: .none, assessorStartStep: 0, trialEnvironment: [:], ignored: [])
    }

    private mutating func read(_ text: String) throws(NNIConfigError) -> NNIExperimentConfig {
        guard text.utf8.count <= Self.maximumBytes else {
            throw NNIConfigError([problem("the file is \(text.utf8.count) bytes; labmake reads NNI config files of at most \(Self.maximumBytes) bytes")], source: text)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw NNIConfigError([yamlProblem(error)], source: text)
        } catch {
            throw NNIConfigError([problem("cannot parse YAML: \(error)")], source: text)
        }
        guard let root, case .mapping(let mapping) = root else {
            throw NNIConfigError([problem("an NNI config file is a mapping of keys (trialCommand, searchSpaceFile, …)", at: root)], source: text)
        }
        if let (node, message) = Self.tooLarge(root) { throw NNIConfigError([problem(message, at: node)], source: text) }
        let entries = self.entries(mapping)
        if entries.contains(where: { Self.canonical($0.key) == "trainingserviceplatform" }) {
            config.version = 1
            readVersion1(entries)
        } else {
            readVersion2(entries)
        }
        finish(root)
        guard problems.isEmpty else { throw NNIConfigError(problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }, source: text) }
        config.ignored = ignored
        return config
    }

    // MARK: - Settings shared by both versions

    mutating func setSpaceFile(_ entry: Entry) {
        guard let path = string(entry) else { return }
        config.searchSpace = mergeSpace(.file(absolute(path)), entry)
    }

    mutating func mergeSpace(_ space: NNIExperimentConfig.SearchSpaceSource, _ entry: Entry) -> NNIExperimentConfig.SearchSpaceSource? {
        if config.searchSpace != nil {
            add(problem("give searchSpaceFile or searchSpace, not both", at: entry.keyNode))
            return config.searchSpace
        }
        return space
    }

    mutating func setAnnotation(_ entry: Entry) {
        guard let on = bool(entry) else { return }
        if on { refuse(entry, "useAnnotation: NNI annotations need nnictl's rewriting of the trial code; call nni.get_next_parameter() instead") }
        else { ignore(entry) }
    }

    mutating func setGPUNumber(_ entry: Entry) {
        guard let count = int(entry, minimum: 0) else { return }
        gpuNumberEntry = (count, entry)
    }

    mutating func setGPUIndices(_ entry: Entry) {
        let indices: [String]
        switch entry.value {
        case .sequence(let items):
            indices = items.compactMap { item in
                guard case .scalar(let scalar) = item, let index = Int(scalar.string), index >= 0 else {
                    add(problem("gpuIndices must list GPU numbers (0, 1, …)", at: item))
                    return nil
                }
                return String(index)
            }
        case .scalar(let scalar):
            let parts = scalar.string.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts.isEmpty, parts.allSatisfy({ Int($0).map { $0 >= 0 } ?? false }) else {
                add(problem("gpuIndices must be GPU numbers: 0, \"0,1\" or [0, 1]; found '\(scalar.string)'", at: entry.value))
                return
            }
            indices = parts
        default:
            add(problem("gpuIndices must be GPU numbers: 0, \"0,1\" or [0, 1]", at: entry.value))
            return
        }
        config.trialEnvironment["CUDA_VISIBLE_DEVICES"] = indices.joined(separator: ",")
    }

    /// What depends on several keys: the direction, GPUs and concurrency.
    mutating func finish(_ root: Node) {
        if let advisorEntry, tunerSpec != nil || config.assessor != .none {
            add(problem("an advisor (\(config.tuner?.rawValue ?? "Hyperband, BOHB")) replaces the tuner and the assessor, as in NNI: "
                        + "give the advisor alone", at: advisorEntry.keyNode))
        }
        if let tunerDirection, let assessorDirection, tunerDirection != assessorDirection {
            add(problem("the tuner's optimize_mode is \(tunerDirection.rawValue) but the assessor's is \(assessorDirection.rawValue); they must agree", at: root))
        }
        if let tunerDirection {
            (config.direction, config.directionSource) = (tunerDirection, "the tuner's optimize_mode")
        } else if let assessorDirection {
            (config.direction, config.directionSource) = (assessorDirection, "the assessor's optimize_mode")
        } else if let tunerSpec {
            (config.direction, config.directionSource) = (tunerSpec.defaultDirection, "NNI's default for the \(tunerSpec.kind.rawValue) tuner (no optimize_mode)")
        } else if config.assessor == .medianstop {
            (config.direction, config.directionSource) = (.maximize, "NNI's default for Medianstop (no optimize_mode)")
        } else {
            (config.direction, config.directionSource) = (.maximize, "the default (no optimize_mode)")
        }
        if let (count, entry) = gpuNumberEntry {
            if count == 0 {
                if config.trialEnvironment["CUDA_VISIBLE_DEVICES"] == nil { config.trialEnvironment["CUDA_VISIBLE_DEVICES"] = "" }
            } else if (config.trialConcurrency ?? 1) > 1 {
                refuse(entry, "\(count) GPUs per trial with trialConcurrency \(config.trialConcurrency ?? 1): labmake does not schedule GPUs between concurrent trials; use trialConcurrency: 1", atValue: true)
            }
        }
    }

}
