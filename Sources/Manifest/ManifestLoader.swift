import Pipeline
import SystemIO
import Yams

/// Reads a pipeline file into a validated ``PipelineDefinition``, or says everything that is wrong
/// with it, each problem at its file:line:col, before anything runs.
public struct ManifestLoader: Sendable {
    static let topLevelKeys = ["name", "settings", "params", "stages"]
    static let settingKeys = ["device", "seed", "jobs", "executor", "slurm"]

    public var kinds: StageKindRegistry
    public var fileSystem: any FileSystem

    public init(kinds: StageKindRegistry, fileSystem: any FileSystem = LocalFileSystem()) {
        self.kinds = kinds
        self.fileSystem = fileSystem
    }

    /// Loads the pipeline file at `path` (absolute); its directory is the workspace root.
    public func load(path: String, overrides: [Override] = []) throws(ManifestError) -> PipelineDefinition {
        let text: String
        do {
            text = try fileSystem.readText(path)
        } catch {
            throw ManifestError([Diagnostic("cannot read the pipeline file: \(error)", at: nil)])
        }
        let root = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        return try parse(text, file: path, workspaceRoot: root.isEmpty ? "/" : root, overrides: overrides)
    }

    /// Parses pipeline text; `file` names it in messages, `workspaceRoot` resolves dependency paths.
    public func parse(_ text: String, file: String, workspaceRoot: String,
                      overrides: [Override] = []) throws(ManifestError) -> PipelineDefinition {
        let reader = NodeReader(file: file)
        func fail(_ diagnostics: [Diagnostic]) -> ManifestError { ManifestError(diagnostics, source: text) }

        guard text.utf8.count <= ExpansionLimits.maximumBytes else {
            throw fail([Diagnostic("the pipeline file is \(text.utf8.count) bytes; labmake reads pipeline files of at most \(ExpansionLimits.maximumBytes) bytes",
                                   at: SourceLocation(file: file, line: 1, column: 1))])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw fail([ManifestLoader.diagnostic(for: error, file: file)])
        } catch {
            throw fail([Diagnostic("cannot parse YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        if let root, let (node, problem) = ExpansionLimits.check(root) {
            throw fail([Diagnostic(problem, at: reader.location(node))])
        }
        guard let root, case let entries? = reader.mapping(root, "the pipeline file") else {
            if root == nil || reader.diagnostics.isEmpty {
                throw fail([Diagnostic("the pipeline is empty: expected a mapping with 'stages:'",
                                       at: SourceLocation(file: file, line: 1, column: 1))])
            }
            throw fail(reader.diagnostics)
        }
        reader.checkKeys(entries, allowed: ManifestLoader.topLevelKeys, in: "the pipeline file")

        var name = file.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0) } ?? "pipeline"
        var settings = PipelineSettings()
        var params: [(String, ConfigValue, Node)] = []
        var stages: [RawStage] = []
        var stagesNode: Node?
        for entry in entries {
            switch entry.key {
            case "name": if let n = reader.string(entry.value, "name") { name = n }
            case "settings": settings = readSettings(entry.value, reader: reader)
            case "params":
                for e in reader.mapping(entry.value, "params") ?? [] {
                    RawStage.checkParameterName(e.key, e.keyNode, reader: reader)
                    if let v = reader.value(e.value) { params.append((e.key, v, e.keyNode)) }
                }
            case "stages":
                stagesNode = entry.keyNode
                if case .scalar(let s) = entry.value, s.string.isEmpty || s.string == "~" || s.string == "null" { break }
                for e in reader.mapping(entry.value, "stages") ?? [] {
                    if let stage = RawStage(e, reader: reader) { stages.append(stage) }
                }
            default: break
            }
        }
        if stages.isEmpty && reader.diagnostics.isEmpty {
            reader.error("the pipeline is empty: 'stages:' must declare at least one stage",
                         at: stagesNode.map(reader.location) ?? SourceLocation(file: file, line: 1, column: 1))
        }
        guard reader.diagnostics.isEmpty else { throw fail(reader.diagnostics) }

        let resolver = StageResolver(reader: reader, kinds: kinds, pipelineParams: params, overrides: overrides)
        let (resolvedParams, resolved) = resolver.resolve(stages)
        guard reader.diagnostics.isEmpty else { throw fail(reader.diagnostics) }

        let validator = PipelineValidator(reader: reader, kinds: kinds, fileSystem: fileSystem, workspaceRoot: workspaceRoot)
        guard let graph = validator.validate(resolved), reader.diagnostics.isEmpty else { throw fail(reader.diagnostics) }
        return PipelineDefinition(name: name, settings: settings, params: resolvedParams, graph: graph)
    }

    private func readSettings(_ node: Node, reader: NodeReader) -> PipelineSettings {
        var settings = PipelineSettings()
        guard let entries = reader.mapping(node, "settings") else { return settings }
        reader.checkKeys(entries, allowed: ManifestLoader.settingKeys, in: "settings")
        for entry in entries {
            switch entry.key {
            case "device":
                guard let device = reader.string(entry.value, "settings.device") else { continue }
                if ["auto", "cpu", "vulkan"].contains(device) || (device.hasPrefix("vulkan:") && device.count > 7) {
                    settings.device = device
                } else {
                    reader.error("settings.device must be auto, cpu, vulkan or vulkan:N, found '\(device)'", at: entry.value,
                                 hint: NearestName.hint(device, among: ["auto", "cpu", "vulkan"]))
                }
            case "seed": if let seed = reader.int(entry.value, "settings.seed") { settings.seed = seed }
            case "jobs":
                guard let jobs = reader.int(entry.value, "settings.jobs") else { continue }
                if jobs >= 1 { settings.jobs = jobs } else {
                    reader.error("settings.jobs must be at least 1, found \(jobs)", at: entry.value)
                }
            case "executor":
                if let kind = ExecutorReader(reader: reader).kind(entry.value, "settings.executor") { settings.executor.kind = kind }
            case "slurm":
                settings.executor.slurm = ExecutorReader(reader: reader).slurm(entry.value, "settings.slurm")
            default: break
            }
        }
        return settings
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return Diagnostic("invalid YAML: \(problem)\(detail)", at: at(mark))
        case .duplicatedKeysInMapping(let duplicates, let context):
            return Diagnostic("duplicate key '\(duplicates.joined(separator: "', '"))' in a mapping; each key may appear once",
                              at: at(context.mark))
        case .reader(let problem, _, _, _):
            return Diagnostic("cannot read the file as text: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return Diagnostic("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
