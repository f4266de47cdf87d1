import Foundation
import SystemIO

/// What the runner's thread keeps while judging stages.
struct ScanState {
    let hasher: FileHasher
    /// The signature and outputs of every recorded stage.
    let summaries: [String: RecordSummary]
    /// Statuses that cannot change during the run: dependencies no stage writes (taken before anything
    /// ran) and outputs of stages found up to date (nothing rewrites them).
    var stable: [String: FileStat]
    /// Stages found up to date by content whose signature can now be remembered.
    var refreshedSignatures: [(stage: String, signature: String)] = []
}

/// What the runner does with a stage it found stale: bring it up to date, or, in a dry run, only say
/// that it would (ninja's `DryRunCommandRunner`).
protocol StaleStageExecutor: Sendable {
    /// Whether it does nothing that takes time, so that the runner's thread calls it directly.
    var isImmediate: Bool { get }
    /// The stage's outcome and, unless it failed, its outputs.
    func bringUpToDate(_ i: Int, _ fingerprint: StageFingerprint, _ reasons: [StaleReason], current: ContentMap,
                       force: Bool, hasher: FileHasher) -> (StageOutcome, ContentMap?)
}

/// A dry run: every stale stage would run; its outputs stay as they are.
struct DryRunExecutor: StaleStageExecutor {
    let graph: Graph
    var isImmediate: Bool { true }

    func bringUpToDate(_ i: Int, _ fingerprint: StageFingerprint, _ reasons: [StaleReason], current: ContentMap,
                       force: Bool, hasher: FileHasher) -> (StageOutcome, ContentMap?) {
        (StageOutcome(name: graph.stages[i].name, status: .stale, staleReasons: reasons), current)
    }
}

extension Runner {
    /// Decides whether stage `i` is up to date, given its upstream stages' outputs and which of them
    /// are stale (in a dry run); runs on the runner's thread. See ``Scan/verdict(force:upstreamStale:signatureMatches:recordedOutputs:measure:previous:)``.
    func judge(_ i: Int, outputs: [Int: ContentMap], force: Bool, upstreamStale: [String], scan: inout ScanState) throws -> Verdict {
        let stage = graph.stages[i]
        guard let kind = kinds[stage.kind] else { throw StageFailure("unknown stage kind '\(stage.kind)'") }
        let definition = StageFingerprint.definition(of: stage, version: kind.version)
        let stable = scan.stable
        var taken: [(String, FileStat)] = []
        let signature = StatSignature.compute(
            definition: definition, paths: signedPaths(i), now: workspace.clock.now(),
            stat: { path in
                if let known = stable[path] { return known }
                let stat = workspace.fileSystem.stat(path)
                if let stat { taken.append((path, stat)) }
                return stat
            })
        let summary = scan.summaries[stage.name]
        let signatureMatches = signature != nil && summary?.signature == signature
        let hasher = scan.hasher
        let verdict = try Scan.verdict(
            force: force, upstreamStale: upstreamStale, signatureMatches: signatureMatches, recordedOutputs: summary?.outputs,
            measure: { (try fingerprint(i, definition: definition, outputs: outputs, hasher: hasher), try currentOutputs(i, hasher: hasher)) },
            previous: { summary == nil ? nil : try workspace.database.record(stage: stage.name) })
        if case .upToDate = verdict {
            if signatureMatches && !force && upstreamStale.isEmpty {
                let outs = stage.outs.map(workspace.absolute)
                for (path, stat) in taken where outs.contains(path) { scan.stable[path] = stat }
            } else if let signature, summary?.signature != signature {
                scan.refreshedSignatures.append((stage.name, signature))
            }
        }
        return verdict
    }

    /// Restores or runs a stale stage and records the result. Runs on a worker thread.
    func bringUpToDate(_ i: Int, _ fingerprint: StageFingerprint, _ reasons: [StaleReason], current: ContentMap,
                       force: Bool, hasher: FileHasher) -> (StageOutcome, ContentMap?) {
        let stage = graph.stages[i]
        let start = workspace.clock.now()
        observer.stageStarted(stage.name, reasons: reasons)
        func outcome(_ status: StageStatus, error: String? = nil) -> StageOutcome {
            StageOutcome(name: stage.name, status: status, seconds: workspace.clock.now() - start,
                         staleReasons: reasons, error: error)
        }
        do {
            if !force, let cached = try workspace.database.cachedOutputs(key: fingerprint.key),
               cached.paths == stage.outs.map(PathRules.normalized).sorted(),
               cached.entries.allSatisfy({ $0.id.map(workspace.store.contains) ?? false }),
               (try? restore(cached, hasher: hasher)) != nil {
                _ = try currentOutputs(i, hasher: hasher)  // remember the restored files' hashes
                try record(i, fingerprint, outputs: cached, start: start, hasher: hasher)
                return (outcome(.restored), cached)
            }
            // Nothing to restore (or a damaged artifact, which the store dropped): run the stage.
            for out in stage.outs { try workspace.fileSystem.removeItem(workspace.absolute(out)) }
            if let failure = execute(stage, inputDigest: fingerprint.inputDigest) { return (outcome(.failed, error: failure), nil) }

            let written = try currentOutputs(i, hasher: hasher)
            if let missing = written.entries.first(where: { $0.id == nil }) {
                return (outcome(.failed, error: "did not write its declared output \(missing.path)"), nil)
            }
            for (path, id) in written.entries {
                try workspace.store.save(workspace.absolute(path), as: id!, hasher: hasher)
            }
            try record(i, fingerprint, outputs: written, start: start, hasher: hasher)
            return (outcome(.executed), written)
        } catch {
            return (outcome(.failed, error: "\(error)"), nil)
        }
    }

    /// Runs the stage's kind, streaming its output and keeping it in the stage's log; the failure, if any.
    private func execute(_ stage: StageDefinition, inputDigest: String) -> String? {
        let log = Locked(OutputLog())
        let context = StageContext(
            workspaceRoot: workspace.root, settings: settings, launcher: workspace.launcher,
            fileSystem: workspace.fileSystem,
            output: { [observer] line in
                log.withLock { $0.append(line) }
                observer.stageOutput(stage.name, line: line)
            },
            isCancelled: { [interruptedFlag] in interruptedFlag.withLock { $0 } },
            pipeline: PipelineView(graph: graph, statuses: statusesSoFar.withLock { $0 },
                                   records: (try? workspace.database.records()) ?? [:]),
            scratchDirectory: workspace.scratchDirectory(for: stage.name), database: workspace.database,
            inputDigest: inputDigest)
        var failure: String?
        do {
            guard let kind = kinds[stage.kind] else { throw StageFailure("unknown stage kind '\(stage.kind)'") }
            try kind.run(stage, context: context)
        } catch {
            failure = "\(error)"
        }
        let text = log.withLock { $0.text }
        try? workspace.fileSystem.writeText(workspace.logPath(stage: stage.name), text)
        return failure
    }

    /// Copies stored outputs into the workspace where they differ; throws on a damaged artifact.
    private func restore(_ outputs: ContentMap, hasher: FileHasher) throws {
        for (path, id) in outputs.entries {
            guard let id else { continue }
            // labmake's own writes stay in the workspace: never through a folder that is a link.
            var folder = workspace.root
            for component in PathRules.normalized(path).split(separator: "/").dropLast() {
                folder += "/" + component
                if workspace.fileSystem.linkStatus(folder)?.kind == .symbolicLink {
                    throw FileSystemError(path: folder, reason: "is a symbolic link; labmake restores no output through a link")
                }
            }
            if try hasher.contentID(of: workspace.absolute(path), followingLinks: false) != id {
                try workspace.store.restore(id, to: workspace.absolute(path))
            }
        }
    }

    private func record(_ i: Int, _ fingerprint: StageFingerprint, outputs: ContentMap, start: Double,
                        hasher: FileHasher) throws {
        let stage = graph.stages[i]
        let record = StageRecord(
            stage: stage.name, key: fingerprint.key, definition: fingerprint.definition,
            deps: fingerprint.deps, inputs: fingerprint.inputs, outputs: outputs,
            startedAt: start, seconds: workspace.clock.now() - start)
        let signature = StatSignature.compute(
            definition: fingerprint.definition, paths: signedPaths(i), now: workspace.clock.now(),
            stat: workspace.fileSystem.stat)
        try workspace.database.save(record, signature: signature, fileHashes: hasher.takeFreshEntries())
    }

    /// Every path the stage's key and outputs depend on, absolute, as ``fingerprint(_:definition:outputs:hasher:)``
    /// reads them (see ``StageReads``) followed by its own outputs. Its stat signature covers these.
    func signedPaths(_ i: Int) -> [String] {
        let stage = graph.stages[i], reads = graph.reads[i]
        return (reads.sources.map { stage.deps[$0] } + reads.inputs.map { graph.stages[$0.stage].outs[$0.output] } + stage.outs)
            .map(workspace.absolute)
    }

    /// The stage's definition and the content of what it reads, given its upstream stages' outputs.
    func fingerprint(_ i: Int, definition: String, outputs: [Int: ContentMap], hasher: FileHasher) throws -> StageFingerprint {
        let stage = graph.stages[i], reads = graph.reads[i]
        let deps = try reads.sources.map { d in
            let path = PathRules.normalized(stage.deps[d])
            return (path, try hasher.contentID(of: workspace.absolute(path)))
        }
        var upstream: [Int: [String: ContentID?]] = [:]
        var inputs: [(String, ContentID?)] = []
        for input in reads.inputs {
            let u = input.stage, path = PathRules.normalized(graph.stages[u].outs[input.output])
            if upstream[u] == nil {
                upstream[u] = Dictionary((outputs[u]?.entries ?? []).map { ($0.path, $0.id) }, uniquingKeysWith: { a, _ in a })
            }
            inputs.append((Scan.inputName(stage: graph.stages[u].name, path: path), upstream[u]?[path] ?? nil))
        }
        return StageFingerprint(definition: definition, deps: ContentMap(deps), inputs: ContentMap(inputs))
    }

    func currentOutputs(_ i: Int, hasher: FileHasher) throws -> ContentMap {
        ContentMap(try graph.stages[i].outs.map {
            let path = PathRules.normalized($0)
            return (path, try hasher.contentID(of: workspace.absolute(path), followingLinks: false))
        })
    }
}
