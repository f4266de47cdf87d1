import Pipeline
import SystemIO

/// Remembers the last validated pipeline, so that rerunning an unchanged pipeline file skips parsing
/// and validation (the part of a no-op run that grows with the pipeline).
///
/// The entry is keyed by the SHA-256 of everything the result depends on: the file's text, the
/// `--set` overrides, the registered stage kinds and the identity of the labmake binary. Only the
/// existence of dependency files can change behind the key's back: the runner checks it before
/// anything runs.
public struct ManifestCache: Sendable {
    static let magic = "labmake-manifest-v3"

    /// Where the entry is kept, e.g. `.labmake/manifest.cache`.
    public let path: String
    private let fs: any FileSystem

    public init(path: String, fileSystem: any FileSystem) {
        self.path = path
        fs = fileSystem
    }

    /// The key of a load: the text, the overrides, the kinds and the tool's identity.
    public static func key(text: String, overrides: [Override], kinds: StageKindRegistry, toolIdentity: String) -> String {
        var record = magic + "\n" + toolIdentity + "\n"
        for name in kinds.names { record += name + "@" + (kinds[name]?.version ?? "") + "," }
        record += "\n"
        for o in overrides { record += o.text + "\n" }
        record += "\n" + text
        return SHA256Hex.of(record)
    }

    /// The cached pipeline for `key`, or nil (missing, stale or damaged).
    public func load(key: String) -> PipelineDefinition? {
        guard let bytes = try? fs.readFile(path) else { return nil }
        var reader = BinaryReader(bytes)
        do {
            guard try reader.string() == ManifestCache.magic, try reader.string() == key else { return nil }
            let pipeline = try decode(&reader)
            return reader.isAtEnd ? pipeline : nil
        } catch {
            return nil
        }
    }

    /// Remembers `pipeline` under `key`; failures are ignored (the cache is only an optimisation).
    public func save(_ pipeline: PipelineDefinition, key: String) {
        var writer = BinaryWriter()
        writer.string(ManifestCache.magic)
        writer.string(key)
        encode(pipeline, &writer)
        try? fs.writeFile(path, writer.bytes)
    }

    private func encode(_ p: PipelineDefinition, _ w: inout BinaryWriter) {
        w.string(p.name)
        w.string(p.settings.device)
        w.int(p.settings.seed)
        w.int(p.settings.jobs ?? 0)
        encode(p.settings.executor, &w)
        w.object(p.params)
        w.int(p.stages.count)
        for (i, s) in p.stages.enumerated() {
            w.string(s.name)
            w.string(s.kind)
            w.int(s.command == nil ? 0 : 1)
            if let command = s.command { w.string(command) }
            w.object(s.params)
            w.object(s.with)
            w.strings(s.deps)
            w.strings(s.outs)
            w.strings(s.needs)
            w.string(s.location?.file ?? "")
            w.int(s.location?.line ?? 0)
            w.int(s.location?.column ?? 0)
            w.int(s.executor == nil ? 0 : 1)
            if let executor = s.executor { encode(executor, &w) }
            w.int(p.graph.upstream[i].count)
            for u in p.graph.upstream[i] { w.int(u) }
            let reads = p.graph.reads[i]
            w.int(reads.sources.count)
            for d in reads.sources { w.int(d) }
            w.int(reads.inputs.count)
            for input in reads.inputs { w.int(input.stage); w.int(input.output) }
        }
    }

    private func encode(_ executor: ExecutorSetting, _ w: inout BinaryWriter) {
        w.string(executor.kind?.rawValue ?? "")
        w.object(executor.slurm)
    }

    private func decodeExecutor(_ r: inout BinaryReader) throws -> ExecutorSetting {
        let kind = try r.string()
        guard kind.isEmpty || ExecutorSetting.Kind(rawValue: kind) != nil else { throw BinaryReader.Malformed() }
        return ExecutorSetting(kind: ExecutorSetting.Kind(rawValue: kind), slurm: try r.object())
    }

    private func decode(_ r: inout BinaryReader) throws -> PipelineDefinition {
        let name = try r.string()
        let device = try r.string()
        let seed = try r.int()
        let jobs = try r.int()
        let executor = try decodeExecutor(&r)
        let params = try r.object()
        let count = try r.count()
        var stages: [StageDefinition] = []
        var upstream: [[Int]] = []
        var reads: [StageReads] = []
        stages.reserveCapacity(count)
        for i in 0..<count {
            let stageName = try r.string()
            let kind = try r.string()
            let command = try r.int() == 1 ? try r.string() : nil
            let stageParams = try r.object()
            let with = try r.object()
            let deps = try r.strings(), outs = try r.strings(), needs = try r.strings()
            let file = try r.string(), line = try r.int(), column = try r.int()
            let stageExecutor = try r.int() == 1 ? try decodeExecutor(&r) : nil
            var ups: [Int] = []
            for _ in 0..<(try r.count()) {
                let u = try r.int()
                guard u >= 0 && u < i else { throw BinaryReader.Malformed() }
                ups.append(u)
            }
            var stageReads = StageReads()
            for _ in 0..<(try r.count()) {
                let d = try r.int()
                guard d >= 0 && d < deps.count else { throw BinaryReader.Malformed() }
                stageReads.sources.append(d)
            }
            for _ in 0..<(try r.count()) {
                let u = try r.int(), o = try r.int()
                guard u >= 0, u < i, o >= 0, o < stages[u].outs.count else { throw BinaryReader.Malformed() }
                stageReads.inputs.append(StageReads.Output(stage: u, output: o))
            }
            reads.append(stageReads)
            stages.append(StageDefinition(
                name: stageName, kind: kind, command: command, params: stageParams, with: with, deps: deps,
                outs: outs, needs: needs, location: file.isEmpty ? nil : SourceLocation(file: file, line: line, column: column),
                executor: stageExecutor))
            upstream.append(ups)
        }
        return PipelineDefinition(
            name: name, settings: PipelineSettings(device: device, seed: seed, jobs: jobs > 0 ? jobs : nil, executor: executor),
            params: params, graph: Graph(sortedStages: stages, upstream: upstream, reads: reads))
    }
}
