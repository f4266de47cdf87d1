import Foundation

/// Brings a pipeline's stages up to date, in dependency order, up to `jobs` at a time.
///
/// Each stage, once its upstream stages are done, is scanned (``Scan``) on the runner's thread:
/// an up-to-date stage is done at once. A stale one goes to a worker, which restores its outputs
/// from the store when a run with the same key is recorded, and otherwise runs it, stores its
/// outputs and writes its record. A stage keys on its upstream outputs' content, so when a rerun
/// writes identical bytes its dependents are found up to date (early cutoff).
public final class Runner: @unchecked Sendable {
    private let graph: Graph
    private let workspace: Workspace
    private let kinds: StageKindRegistry
    private let settings: PipelineSettings
    private let observer: any RunObserver
    private let interruptedFlag = Locked(false)
    private let events = NSCondition()
    private var finished: [(Int, StageOutcome, ContentMap?)] = []  // guarded by `events`

    public init(graph: Graph, workspace: Workspace, kinds: StageKindRegistry, settings: PipelineSettings,
                observer: any RunObserver) {
        self.graph = graph
        self.workspace = workspace
        self.kinds = kinds
        self.settings = settings
        self.observer = observer
    }

    /// Stops the run: running commands are terminated, nothing new starts. Safe from any thread.
    public func interrupt() {
        interruptedFlag.withLock { $0 = true }
        workspace.launcher.terminateAll()
        events.lock()
        events.signal()
        events.unlock()
    }

    private var isInterrupted: Bool { interruptedFlag.withLock { $0 } }

    /// Runs the pipeline; throws only for unknown targets or a database that cannot be read.
    public func run(_ options: RunOptions) throws -> RunSummary {
        var targets: [Int] = []
        for name in options.targets {
            guard let i = graph.index(of: name) else { throw RunnerError.unknownTarget(name) }
            targets.append(i)
        }
        let selected = Set(targets.isEmpty ? Array(graph.stages.indices) : graph.closure(of: targets))
        let hasher = try workspace.makeHasher()
        let records = try workspace.database.records()

        var outcomes: [Int: StageOutcome] = [:]
        var outputs: [Int: ContentMap] = [:]
        var staleInDryRun = Set<Int>()
        var waiting = Array(repeating: 0, count: graph.stages.count)
        for i in selected { waiting[i] = graph.upstream[i].filter(selected.contains).count }
        var ready = selected.filter { waiting[$0] == 0 }.sorted(by: >)
        var queued: [(Int, StageFingerprint, [StaleReason])] = []
        var running = 0
        var stopping = false

        func finish(_ i: Int, _ outcome: StageOutcome, _ result: ContentMap?) {
            outcomes[i] = outcome
            if let result { outputs[i] = result }
            observer.stageFinished(outcome)
            if outcome.status == .failed {
                if !options.keepGoing { stopping = true }
                for d in graph.allDownstream(of: i).sorted() where selected.contains(d) && outcomes[d] == nil {
                    outcomes[d] = StageOutcome(name: graph.stages[d].name, status: .skipped,
                                               reasons: ["upstream stage \(graph.stages[i].name) failed"])
                    observer.stageFinished(outcomes[d]!)
                }
                return
            }
            for d in graph.downstream[i] where selected.contains(d) {
                waiting[d] -= 1
                if waiting[d] == 0 && outcomes[d] == nil {
                    ready.append(d)
                    ready.sort(by: >)
                }
            }
        }

        while true {
            while let i = ready.popLast() {
                if outcomes[i] != nil { continue }
                if stopping || isInterrupted {
                    finish(i, StageOutcome(name: graph.stages[i].name, status: .skipped,
                                           reasons: [isInterrupted ? "interrupted" : "the run stopped after a failure"]), nil)
                    continue
                }
                do {
                    let fingerprint = try self.fingerprint(i, outputs: outputs, hasher: hasher)
                    let current = try currentOutputs(i, hasher: hasher)
                    var reasons = options.force ? [.forced]
                        : Scan.reasons(current: fingerprint, outputs: current, previous: records[graph.stages[i].name])
                    if options.dryRun {
                        reasons += graph.upstream[i].filter(staleInDryRun.contains)
                            .map { .upstreamStale(stage: graph.stages[$0].name) }
                    }
                    if reasons.isEmpty {
                        finish(i, StageOutcome(name: graph.stages[i].name, status: .cached), current)
                    } else if options.dryRun {
                        staleInDryRun.insert(i)
                        finish(i, StageOutcome(name: graph.stages[i].name, status: .stale,
                                               reasons: reasons.map(\.description)), current)
                    } else {
                        queued.append((i, fingerprint, reasons))
                    }
                } catch {
                    finish(i, StageOutcome(name: graph.stages[i].name, status: .failed, error: "\(error)"), nil)
                }
            }
            while running < options.jobs, !queued.isEmpty, !stopping, !isInterrupted {
                let (i, fingerprint, reasons) = queued.removeFirst()
                running += 1
                let force = options.force
                Thread.detachNewThread { [self] in
                    let (outcome, result) = self.bringUpToDate(i, fingerprint, reasons, force: force, hasher: hasher)
                    events.lock()
                    finished.append((i, outcome, result))
                    events.signal()
                    events.unlock()
                }
            }
            if (stopping || isInterrupted) && !queued.isEmpty {
                for (i, _, _) in queued {
                    finish(i, StageOutcome(name: graph.stages[i].name, status: .skipped,
                                           reasons: [isInterrupted ? "interrupted" : "the run stopped after a failure"]), nil)
                }
                queued.removeAll()
            }
            if running == 0 && ready.isEmpty && queued.isEmpty { break }
            if !ready.isEmpty { continue }

            events.lock()
            while finished.isEmpty && !(isInterrupted && !queued.isEmpty) { events.wait() }
            let done = finished
            finished.removeAll()
            events.unlock()
            for (i, outcome, result) in done {
                running -= 1
                finish(i, outcome, result)
            }
        }
        try workspace.database.save(fileHashes: hasher.takeFreshEntries())
        return RunSummary(outcomes: selected.sorted().compactMap { outcomes[$0] }, interrupted: isInterrupted)
    }

    // MARK: - One stage

    /// Restores or runs a stale stage and records the result. Runs on a worker thread.
    private func bringUpToDate(_ i: Int, _ fingerprint: StageFingerprint, _ reasons: [StaleReason],
                               force: Bool, hasher: FileHasher) -> (StageOutcome, ContentMap?) {
        let stage = graph.stages[i]
        let start = workspace.clock.now()
        let key = fingerprint.key
        observer.stageStarted(stage.name, reasons: reasons)
        func outcome(_ status: StageStatus, error: String? = nil) -> StageOutcome {
            StageOutcome(name: stage.name, status: status, seconds: workspace.clock.now() - start,
                         reasons: reasons.map(\.description), error: error)
        }
        do {
            if !force, let cached = try workspace.database.cachedOutputs(key: key),
               cached.paths == stage.outs.map(PathRules.normalized).sorted(),
               cached.entries.allSatisfy({ $0.id.map(workspace.store.contains) ?? false }),
               (try? restore(cached, hasher: hasher)) != nil {
                _ = try currentOutputs(i, hasher: hasher)  // remember the restored files' hashes
                try record(stage, fingerprint, outputs: cached, start: start, hasher: hasher)
                return (outcome(.restored), cached)
            }
            // Nothing to restore (or a damaged artifact, which the store dropped): run the stage.

            for out in stage.outs { try workspace.fileSystem.removeItem(workspace.absolute(out)) }
            let log = Locked([String]())
            let context = StageContext(
                workspaceRoot: workspace.root, settings: settings, launcher: workspace.launcher,
                fileSystem: workspace.fileSystem,
                output: { [observer] line in
                    log.withLock { $0.append(line) }
                    observer.stageOutput(stage.name, line: line)
                },
                isCancelled: { [interruptedFlag] in interruptedFlag.withLock { $0 } })
            var failure: String?
            do {
                guard let kind = kinds[stage.kind] else { throw StageFailure("unknown stage kind '\(stage.kind)'") }
                try kind.run(stage, context: context)
            } catch {
                failure = "\(error)"
            }
            let lines = log.withLock { $0 }
            try? workspace.fileSystem.writeText(
                workspace.logPath(stage: stage.name), lines.map { $0 + "\n" }.joined())
            if let failure { return (outcome(.failed, error: failure), nil) }

            let written = try currentOutputs(i, hasher: hasher)
            if let missing = written.entries.first(where: { $0.id == nil }) {
                return (outcome(.failed, error: "did not write its declared output \(missing.path)"), nil)
            }
            for (path, id) in written.entries {
                try workspace.store.save(workspace.absolute(path), as: id!, hasher: hasher)
            }
            try record(stage, fingerprint, outputs: written, start: start, hasher: hasher)
            return (outcome(.executed), written)
        } catch {
            return (outcome(.failed, error: "\(error)"), nil)
        }
    }

    /// Copies stored outputs into the workspace where they differ; throws on a damaged artifact.
    private func restore(_ outputs: ContentMap, hasher: FileHasher) throws {
        for (path, id) in outputs.entries {
            guard let id else { continue }
            if try hasher.contentID(of: workspace.absolute(path)) != id {
                try workspace.store.restore(id, to: workspace.absolute(path))
            }
        }
    }

    private func record(_ stage: StageDefinition, _ fingerprint: StageFingerprint, outputs: ContentMap,
                        start: Double, hasher: FileHasher) throws {
        let record = StageRecord(
            stage: stage.name, key: fingerprint.key, definition: fingerprint.definition,
            deps: fingerprint.deps, inputs: fingerprint.inputs, outputs: outputs,
            startedAt: start, seconds: workspace.clock.now() - start)
        try workspace.database.save(record, fileHashes: hasher.takeFreshEntries())
    }

    // MARK: - Fingerprints

    /// The stage's definition and the content of what it reads, given its upstream stages' outputs.
    func fingerprint(_ i: Int, outputs: [Int: ContentMap], hasher: FileHasher) throws -> StageFingerprint {
        let stage = graph.stages[i]
        guard let kind = kinds[stage.kind] else { throw StageFailure("unknown stage kind '\(stage.kind)'") }
        var deps: [(String, ContentID?)] = []
        var inputs: [String: ContentID?] = [:]
        for dep in stage.deps {
            let path = PathRules.normalized(dep)
            var fromUpstream = false
            for u in graph.upstream[i] {
                for (out, id) in outputs[u]?.entries ?? [] where PathRules.overlap(out, path) {
                    inputs[Scan.inputName(stage: graph.stages[u].name, path: out)] = id
                    fromUpstream = true
                }
            }
            if !fromUpstream { deps.append((path, try hasher.contentID(of: workspace.absolute(path)))) }
        }
        for u in graph.upstream[i] where stage.needs.contains(graph.stages[u].name) {
            for (out, id) in outputs[u]?.entries ?? [] {
                inputs[Scan.inputName(stage: graph.stages[u].name, path: out)] = id
            }
        }
        return StageFingerprint(
            definition: StageFingerprint.definition(of: stage, version: kind.version),
            deps: ContentMap(deps), inputs: ContentMap(inputs.map { ($0.key, $0.value) }))
    }

    private func currentOutputs(_ i: Int, hasher: FileHasher) throws -> ContentMap {
        ContentMap(try graph.stages[i].outs.map {
            let path = PathRules.normalized($0)
            return (path, try hasher.contentID(of: workspace.absolute(path)))
        })
    }
}

/// A run that could not start.
public enum RunnerError: Error, Sendable, CustomStringConvertible {
    case unknownTarget(String)

    public var description: String {
        switch self {
        case .unknownTarget(let name): "no stage named '\(name)'"
        }
    }
}
