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
    private var problems: [NNIConfigProblem] = []
    private var ignored: [String] = []
    private var config: NNIExperimentConfig
    private var tunerSpec: NNIAlgorithms.Tuner?
    private var tunerDirection: Direction?
    private var assessorDirection: Direction?
    private var spaceFileNode: Node?

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

    // MARK: - Version 2

    static let version2Keys = ["experimentName", "searchSpaceFile", "searchSpace", "trialCommand", "trialCodeDirectory", "trialConcurrency",
                               "trialGpuNumber", "maxExperimentDuration", "maxTrialDuration", "maxTrialNumber", "tuner", "assessor",
                               "advisor", "trainingService", "sharedStorage", "useAnnotation", "experimentType", "nniManagerIp", "debug",
                               "logLevel", "experimentWorkingDirectory", "tunerGpuIndices", "description", "authorName"]
    /// Keys that change nothing in labmake.
    static let version2Ignored = ["nniManagerIp", "debug", "logLevel", "experimentWorkingDirectory", "tunerGpuIndices", "description", "authorName"]

    private mutating func readVersion2(_ entries: [Entry]) {
        for entry in entries {
            switch Self.canonical(entry.key) {
            case "experimentname": config.experimentName = string(entry)
            case "searchspacefile": setSpaceFile(entry)
            case "searchspace":
                if let json = json(entry.value) { config.searchSpace = mergeSpace(.inline(json), entry) }
            case "trialcommand": config.trialCommand = string(entry)
            case "trialcodedirectory": if let path = string(entry) { config.trialCodeDirectory = absolute(path) }
            case "trialconcurrency": config.trialConcurrency = int(entry, minimum: 1)
            case "trialgpunumber": setGPUNumber(entry)
            case "maxexperimentduration": config.maxExperimentDuration = duration(entry)
            case "maxtrialduration": config.maxTrialDuration = duration(entry)
            case "maxtrialnumber": config.maxTrialNumber = int(entry, minimum: 1)
            case "tuner": readAlgorithm(entry, tuner: true, version: 2)
            case "assessor": readAlgorithm(entry, tuner: false, version: 2)
            case "advisor": refuse(entry, "advisors (Hyperband, BOHB) are not in labmake; use a tuner with the medianstop assessor")
            case "trainingservice": readTrainingService(entry)
            case "sharedstorage": refuse(entry, "labmake runs trials on this machine only: there is no shared storage to set up")
            case "useannotation": setAnnotation(entry)
            case "experimenttype":
                if let type = string(entry), type.lowercased() != "hpo" {
                    refuse(entry, "experimentType '\(type)': labmake runs hyperparameter experiments (hpo), not NNI's neural architecture search")
                }
            case let key where Self.version2Ignored.map(Self.canonical).contains(key): ignore(entry)
            default: unknown(entry, among: Self.version2Keys, in: "an NNI v2 config")
            }
        }
    }

    private mutating func readTrainingService(_ entry: Entry) {
        if case .sequence = entry.value {
            refuse(entry, "labmake runs trials on this machine only: a list of training services (hybrid mode) is not supported")
            return
        }
        guard let fields = mapping(entry) else { return }
        let keys = ["platform", "useActiveGpu", "maxTrialNumberPerGpu", "gpuIndices", "reuseMode", "trialCommandChannel"]
        for field in fields {
            switch Self.canonical(field.key) {
            case "platform":
                if let platform = string(field), platform.lowercased() != "local" {
                    refuse(field, "platform '\(platform)': labmake runs trials on this machine only (platform: local)")
                }
            case "gpuindices": setGPUIndices(field)
            case "useactivegpu", "maxtrialnumberpergpu", "reusemode", "trialcommandchannel": ignore(field, under: "trainingService")
            default: unknown(field, among: keys, in: "trainingService")
            }
        }
    }

    // MARK: - Version 1

    static let version1Keys = ["authorName", "experimentName", "trialConcurrency", "maxExecDuration", "maxTrialNum", "trainingServicePlatform",
                               "searchSpacePath", "useAnnotation", "multiPhase", "multiThread", "nniManagerIp", "logDir", "logLevel",
                               "logCollection", "debug", "versionCheck", "tuner", "assessor", "advisor", "trial", "localConfig",
                               "remoteConfig", "machineList", "paiConfig", "paiYarnConfig", "kubeflowConfig", "frameworkcontrollerConfig",
                               "amlConfig", "dlcConfig", "hybridConfig", "adlConfig", "description", "maxTrialDuration"]
    static let version1Ignored = ["authorName", "multiThread", "nniManagerIp", "logDir", "logLevel", "logCollection", "debug", "versionCheck",
                                  "description"]
    static let version1Remote = ["remoteConfig", "machineList", "paiConfig", "paiYarnConfig", "kubeflowConfig", "frameworkcontrollerConfig",
                                 "amlConfig", "dlcConfig", "hybridConfig", "adlConfig"]

    private mutating func readVersion1(_ entries: [Entry]) {
        for entry in entries {
            switch Self.canonical(entry.key) {
            case "experimentname": config.experimentName = string(entry)
            case "trialconcurrency": config.trialConcurrency = int(entry, minimum: 1)
            case "maxexecduration": config.maxExperimentDuration = duration(entry)
            case "maxtrialduration": config.maxTrialDuration = duration(entry)
            case "maxtrialnum": config.maxTrialNumber = int(entry, minimum: 1)
            case "trainingserviceplatform":
                if let platform = string(entry), platform.lowercased() != "local" {
                    refuse(entry, "trainingServicePlatform '\(platform)': labmake runs trials on this machine only (local)")
                }
            case "searchspacepath": setSpaceFile(entry)
            case "useannotation": setAnnotation(entry)
            case "multiphase":
                if bool(entry) == true { refuse(entry, "multiPhase trials are not supported (NNI 2.0 and later refuse them too)") }
            case "tuner": readAlgorithm(entry, tuner: true, version: 1)
            case "assessor": readAlgorithm(entry, tuner: false, version: 1)
            case "advisor": refuse(entry, "advisors (Hyperband, BOHB) are not in labmake; use a tuner with the medianstop assessor")
            case "trial": readVersion1Trial(entry)
            case "localconfig":
                guard let fields = mapping(entry) else { continue }
                for field in fields {
                    switch Self.canonical(field.key) {
                    case "gpuindices": setGPUIndices(field)
                    case "maxtrialnumpergpu", "useactivegpu": ignore(field, under: "localConfig")
                    default: unknown(field, among: ["gpuIndices", "maxTrialNumPerGpu", "useActiveGpu"], in: "localConfig")
                    }
                }
            case let key where Self.version1Remote.map(Self.canonical).contains(key):
                refuse(entry, "\(entry.key): labmake runs trials on this machine only")
            case let key where Self.version1Ignored.map(Self.canonical).contains(key): ignore(entry)
            default: unknown(entry, among: Self.version1Keys, in: "an NNI v1 config")
            }
        }
    }

    private mutating func readVersion1Trial(_ entry: Entry) {
        guard let fields = mapping(entry) else { return }
        for field in fields {
            switch Self.canonical(field.key) {
            case "command": config.trialCommand = string(field)
            case "codedir": if let path = string(field) { config.trialCodeDirectory = absolute(path) }
            case "gpunum": setGPUNumber(field)
            default: unknown(field, among: ["command", "codeDir", "gpuNum"], in: "trial")
            }
        }
    }

    // MARK: - Tuners and assessors

    private mutating func readAlgorithm(_ entry: Entry, tuner: Bool, version: Int) {
        guard let fields = mapping(entry) else { return }
        let what = tuner ? "tuner" : "assessor"
        let nameKey = version == 1 ? (tuner ? "builtinTunerName" : "builtinAssessorName") : "name"
        var keys = version == 1 ? [nameKey, "classArgs", "codeDir", "classFileName", "className"]
            : ["name", "classArgs", "className", "codeDirectory"]
        if tuner { keys += version == 1 ? ["gpuIndices", "gpuNum", "includeIntermediateResults"] : [] }
        var name: (String, Entry)?
        var classArgs: Entry?
        for field in fields {
            switch Self.canonical(field.key) {
            case Self.canonical(nameKey): if let value = string(field) { name = (value, field) }
            case "classargs": classArgs = field
            case "classname", "codedir", "codedirectory", "classfilename":
                refuse(field, "custom \(what)s (\(field.key)) run NNI's own Python classes; labmake runs its built-in \(what)s only")
            case "gpuindices" where tuner, "gpunum" where tuner: ignore(field, under: what)
            case "includeintermediateresults" where tuner:
                if bool(field) == true { refuse(field, "includeIntermediateResults: labmake's tuners learn from final results only") }
            default: unknown(field, among: keys, in: what)
            }
        }
        guard let (value, nameEntry) = name else {
            if !fields.contains(where: { ["classname", "codedir", "codedirectory", "classfilename"].contains(Self.canonical($0.key)) }) {
                add(problem("the \(what) has no \(nameKey)", at: entry.keyNode))
            }
            return
        }
        if tuner { readTuner(value, nameEntry, classArgs) } else { readAssessor(value, nameEntry, classArgs) }
    }

    private mutating func readTuner(_ name: String, _ entry: Entry, _ classArgs: Entry?) {
        let lowered = name.lowercased()
        guard let spec = NNIAlgorithms.tuners[lowered] else {
            if NNIAlgorithms.missingTuners.contains(lowered) {
                refuse(entry, "the \(name) tuner is not in labmake; it has \(NNIAlgorithms.tunerNames.joined(separator: ", "))", atValue: true)
            } else {
                add(problem("unknown tuner '\(name)'; NNI's tuners in labmake: \(NNIAlgorithms.tunerNames.joined(separator: ", "))",
                            at: entry.value, hint: NearestName.hint(name, among: NNIAlgorithms.tunerNames)))
            }
            return
        }
        tunerSpec = spec
        config.tuner = spec.kind
        for argument in self.arguments(classArgs, accepted: spec.classArgs, of: name) {
            switch argument.key {
            case "optimize_mode": tunerDirection = optimizeMode(argument)
            case "seed": config.seed = int(argument, minimum: 0).map(UInt64.init)
            case "population_size": config.populationSize = int(argument, minimum: 2)
            default: break
            }
        }
    }

    private mutating func readAssessor(_ name: String, _ entry: Entry, _ classArgs: Entry?) {
        let lowered = name.lowercased()
        guard lowered == "medianstop" else {
            if NNIAlgorithms.missingAssessors.contains(lowered) {
                refuse(entry, "the \(name) assessor is not in labmake; it has Medianstop", atValue: true)
            } else {
                add(problem("unknown assessor '\(name)'; labmake has Medianstop", at: entry.value, hint: NearestName.hint(name, among: ["Medianstop"])))
            }
            return
        }
        config.assessor = .medianstop
        for argument in self.arguments(classArgs, accepted: NNIAlgorithms.medianstopClassArgs, of: name) {
            switch argument.key {
            case "optimize_mode": assessorDirection = optimizeMode(argument)
            case "start_step": config.assessorStartStep = int(argument, minimum: 0) ?? 0
            default: break
            }
        }
    }

    /// The `classArgs` entries that labmake honours; a problem for each other one.
    private mutating func arguments(_ classArgs: Entry?, accepted: [String], of name: String) -> [Entry] {
        guard let classArgs, let fields = mapping(classArgs) else { return [] }
        var kept: [Entry] = []
        for field in fields {
            if accepted.contains(field.key) {
                kept.append(field)
            } else {
                add(problem("classArgs.\(field.key) of \(name) is not something labmake can honour; it takes \(accepted.joined(separator: ", "))",
                            at: field.keyNode, hint: NearestName.hint(field.key, among: accepted)))
            }
        }
        return kept
    }

    private mutating func optimizeMode(_ entry: Entry) -> Direction? {
        guard let mode = string(entry) else { return nil }
        guard let direction = Direction(rawValue: mode.lowercased()) else {
            add(problem("optimize_mode must be maximize or minimize, found '\(mode)'", at: entry.value))
            return nil
        }
        return direction
    }

    // MARK: - Settings shared by both versions

    private mutating func setSpaceFile(_ entry: Entry) {
        guard let path = string(entry) else { return }
        spaceFileNode = entry.keyNode
        config.searchSpace = mergeSpace(.file(absolute(path)), entry)
    }

    private mutating func mergeSpace(_ space: NNIExperimentConfig.SearchSpaceSource, _ entry: Entry) -> NNIExperimentConfig.SearchSpaceSource? {
        if config.searchSpace != nil {
            add(problem("give searchSpaceFile or searchSpace, not both", at: entry.keyNode))
            return config.searchSpace
        }
        return space
    }

    private mutating func setAnnotation(_ entry: Entry) {
        guard let on = bool(entry) else { return }
        if on { refuse(entry, "useAnnotation: NNI annotations need nnictl's rewriting of the trial code; call nni.get_next_parameter() instead") }
        else { ignore(entry) }
    }

    private mutating func setGPUNumber(_ entry: Entry) {
        guard let count = int(entry, minimum: 0) else { return }
        gpuNumberEntry = (count, entry)
    }

    private var gpuNumberEntry: (Int, Entry)?

    private mutating func setGPUIndices(_ entry: Entry) {
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
    private mutating func finish(_ root: Node) {
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

    // MARK: - Reading values

    struct Entry {
        var key: String
        var keyNode: Node
        var value: Node
    }

    private mutating func entries(_ mapping: Node.Mapping) -> [Entry] {
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                add(problem("keys must be strings", at: key))
                continue
            }
            entries.append(Entry(key: scalar.string, keyNode: key, value: value))
        }
        return entries
    }

    private mutating func mapping(_ entry: Entry) -> [Entry]? {
        if case .scalar(let scalar) = entry.value, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" { return [] }
        guard case .mapping(let mapping) = entry.value else {
            add(problem("\(entry.key) must be a mapping", at: entry.value))
            return nil
        }
        return entries(mapping)
    }

    private mutating func string(_ entry: Entry) -> String? {
        guard case .scalar(let scalar) = entry.value, !scalar.string.isEmpty else {
            add(problem("\(entry.key) must be a string", at: entry.value))
            return nil
        }
        return scalar.string
    }

    private mutating func int(_ entry: Entry, minimum: Int) -> Int? {
        guard case .scalar(let scalar) = entry.value, let value = Int(scalar.string) else {
            add(problem("\(entry.key) must be an integer", at: entry.value))
            return nil
        }
        guard value >= minimum else {
            add(problem("\(entry.key) must be at least \(minimum), found \(value)", at: entry.value))
            return nil
        }
        return value
    }

    /// PyYAML's booleans (YAML 1.1): true/false, yes/no, on/off, in any case.
    private mutating func bool(_ entry: Entry) -> Bool? {
        guard case .scalar(let scalar) = entry.value else {
            add(problem("\(entry.key) must be true or false", at: entry.value))
            return nil
        }
        switch scalar.string.lowercased() {
        case "true", "yes", "on", "y": return true
        case "false", "no", "off", "n": return false
        default:
            add(problem("\(entry.key) must be true or false, found '\(scalar.string)'", at: entry.value))
            return nil
        }
    }

    private mutating func duration(_ entry: Entry) -> Double? {
        guard case .scalar(let scalar) = entry.value, let seconds = NNIDuration.seconds(scalar.string), seconds > 0 else {
            add(problem("\(entry.key) must be a duration: seconds, or a number with s, m, h or d (\"2h\")", at: entry.value))
            return nil
        }
        return seconds
    }

    /// A YAML value as JSON text, for an inline search space.
    private mutating func json(_ node: Node) -> String? {
        func value(_ node: Node) throws -> JSONValue {
            switch node {
            case .scalar(let scalar):
                guard scalar.style == .plain else { return .string(scalar.string) }
                let text = scalar.string
                if let int = Int(text) { return .int(int) }
                if let double = Double(text), text.rangeOfCharacter(from: .letters) == nil || text.lowercased().contains("e") { return .double(double) }
                switch text.lowercased() {
                case "true": return .bool(true)
                case "false": return .bool(false)
                case "null", "~", "": return .null
                default: return .string(text)
                }
            case .sequence(let items): return .array(try items.map(value))
            case .mapping(let mapping):
                var fields: [String: JSONValue] = [:]
                for (key, item) in mapping {
                    guard case .scalar(let scalar) = key else { throw NNIError("keys must be strings") }
                    fields[scalar.string] = try value(item)
                }
                return .object(fields)
            case .alias: throw NNIError("aliases are not supported here")
            }
        }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return String(decoding: try encoder.encode(try value(node)), as: UTF8.self)
        } catch {
            add(problem("searchSpace: \(error)", at: node))
            return nil
        }
    }

    // MARK: - Problems and notices

    /// Keys compare as NNI compares them: case and underscores do not matter.
    static func canonical(_ key: String) -> String { key.lowercased().replacingOccurrences(of: "_", with: "") }

    private func location(_ node: Node?) -> (Int, Int) { (node?.mark?.line ?? 1, node?.mark?.column ?? 1) }

    private func problem(_ message: String, at node: Node? = nil, hint: String? = nil) -> NNIConfigProblem {
        let (line, column) = location(node)
        return NNIConfigProblem(file: file, line: line, column: column, message: message, hint: hint)
    }

    private mutating func add(_ problem: NNIConfigProblem) { problems.append(problem) }

    private mutating func refuse(_ entry: Entry, _ reason: String, atValue: Bool = false) {
        add(problem(reason, at: atValue ? entry.value : entry.keyNode))
    }

    private mutating func ignore(_ entry: Entry, under parent: String? = nil) {
        let (line, column) = location(entry.keyNode)
        ignored.append((parent.map { $0 + "." } ?? "") + entry.key + " (\(line):\(column))")
    }

    private mutating func unknown(_ entry: Entry, among keys: [String], in what: String) {
        add(problem("unknown key '\(entry.key)' in \(what)", at: entry.keyNode,
                    hint: NearestName.hint(entry.key, among: keys)))
    }

    private func yamlProblem(_ error: YamlError) -> NNIConfigProblem {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return NNIConfigProblem(file: file, line: mark.line, column: mark.column, message: "invalid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return NNIConfigProblem(file: file, line: context.mark.line, column: context.mark.column,
                                    message: "duplicate key '\(duplicates.joined(separator: "', '"))'")
        default:
            return problem("invalid YAML: \(error)")
        }
    }

    private func absolute(_ path: String) -> String {
        let expanded = path.hasPrefix("~/") ? NSHomeDirectory() + path.dropFirst(1) : path
        let joined = expanded.hasPrefix("/") ? expanded : folder + "/" + expanded
        return URL(fileURLWithPath: joined).standardizedFileURL.path
    }

    /// The first node at which the tree passes the limits on values and nesting (aliases that repeat aliases).
    static func tooLarge(_ root: Node) -> (Node, String)? {
        var stack: [(Node, Int)] = [(root, 1)]
        var values = 0
        while let (node, depth) = stack.popLast() {
            values += 1
            if values > maximumValues { return (node, "the file expands to more than \(maximumValues) values (aliases that repeat aliases?)") }
            if depth > maximumDepth { return (node, "the file nests lists and mappings more than \(maximumDepth) deep") }
            switch node {
            case .scalar, .alias: break
            case .sequence(let items): for item in items { stack.append((item, depth + 1)) }
            case .mapping(let mapping): for (key, value) in mapping { stack.append((value, depth + 1)); stack.append((key, depth + 1)) }
            }
        }
        return nil
    }
}
