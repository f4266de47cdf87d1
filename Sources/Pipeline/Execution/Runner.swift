import Foundation
import SystemIO

/// Brings a pipeline's stages up to date, in dependency order, up to `jobs` at a time.
///
/// Each stage, once its upstream stages are done, is judged on the runner's thread: first by its
/// ``StatSignature`` (nothing it reads or writes changed since its record), else by ``Scan``, which
/// compares content and says why it is stale. An up-to-date stage is done at once. A stale one goes to
/// a worker, which restores its outputs from the store when a run with the same key is recorded, and
/// otherwise runs it, stores its outputs and writes its record. A stage keys on its upstream outputs'
/// content, so when a rerun writes identical bytes its dependents are found up to date (early cutoff).
public final class Runner: @unchecked Sendable {
    let graph: Graph
    let workspace: Workspace
    let kinds: StageKindRegistry
    let settings: PipelineSettings
    let observer: any RunObserver
    let interruptedFlag = Locked(false)
    /// How each stage has ended so far in this run, for ``PipelineView``.
    let statusesSoFar = Locked([String: StageStatus]())
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

    var isInterrupted: Bool { interruptedFlag.withLock { $0 } }

    /// Runs the pipeline. Throws, before anything runs, for an unknown target or a dependency that is
    /// neither a file nor another stage's output; and for a database that cannot be read.
    public func run(_ options: RunOptions) throws -> RunSummary {
        var targets: [Int] = []
        for name in options.targets {
            guard let i = graph.index(of: name) else { throw RunnerError.unknownTarget(name) }
            targets.append(i)
        }
        let selected = Set(targets.isEmpty ? Array(graph.stages.indices) : graph.closure(of: targets))
        var scan = ScanState(hasher: workspace.makeHasher(), summaries: try workspace.database.summaries(),
                             stable: try statSources(of: selected))

        var outcomes: [Int: StageOutcome] = [:]
        var outputs: [Int: ContentMap] = [:]
        var waiting = Array(repeating: 0, count: graph.stages.count)
        for i in selected { waiting[i] = graph.upstream[i].filter(selected.contains).count }
        var ready = Heap(selected.filter { waiting[$0] == 0 })
        var queued: [(Int, StageFingerprint, [StaleReason])] = []
        var running = 0
        var stopping = false

        func finish(_ i: Int, _ outcome: StageOutcome, _ result: ContentMap?) {
            outcomes[i] = outcome
            statusesSoFar.withLock { $0[outcome.name] = outcome.status }
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
                if waiting[d] == 0 && outcomes[d] == nil { ready.insert(d) }
            }
        }
        func skip(_ i: Int) {
            finish(i, StageOutcome(name: graph.stages[i].name, status: .skipped,
                                   reasons: [isInterrupted ? "interrupted" : "the run stopped after a failure"]), nil)
        }

        while true {
            while let i = ready.popMin() {
                if outcomes[i] != nil { continue }
                if stopping || isInterrupted {
                    skip(i)
                    continue
                }
                let name = graph.stages[i].name
                do {
                    switch try judge(i, outputs: outputs, force: options.force, dryRun: options.dryRun, scan: &scan) {
                    case .upToDate(let current):
                        finish(i, StageOutcome(name: name, status: .cached), current)
                    case .stale(let fingerprint, let reasons, let current):
                        if options.dryRun {
                            finish(i, StageOutcome(name: name, status: .stale, reasons: reasons.map(\.description)), current)
                        } else {
                            queued.append((i, fingerprint, reasons))
                        }
                    }
                } catch {
                    finish(i, StageOutcome(name: name, status: .failed, error: "\(error)"), nil)
                }
            }
            while running < options.jobs, !queued.isEmpty, !stopping, !isInterrupted {
                let (i, fingerprint, reasons) = queued.removeFirst()
                running += 1
                let (force, hasher) = (options.force, scan.hasher)
                Thread.detachNewThread { [self] in
                    let (outcome, result) = bringUpToDate(i, fingerprint, reasons, force: force, hasher: hasher)
                    events.lock()
                    finished.append((i, outcome, result))
                    events.signal()
                    events.unlock()
                }
            }
            if stopping || isInterrupted {
                for (i, _, _) in queued { skip(i) }
                queued.removeAll()
            }
            if running == 0 && ready.isEmpty && queued.isEmpty { break }
            if !ready.isEmpty { continue }  // a failure made more stages ready to be skipped

            events.lock()
            while finished.isEmpty { events.wait() }
            let done = finished
            finished.removeAll()
            events.unlock()
            for (i, outcome, result) in done {
                running -= 1
                finish(i, outcome, result)
            }
        }
        try workspace.database.update(signatures: scan.refreshedSignatures, fileHashes: scan.hasher.takeFreshEntries())
        if outcomes.values.contains(where: { $0.status == .executed || $0.status == .restored }) || !scan.refreshedSignatures.isEmpty {
            try? workspace.database.checkpoint()
        }
        return RunSummary(outcomes: selected.sorted().compactMap { outcomes[$0] }, interrupted: isInterrupted)
    }

    /// Stats every dependency that no stage writes, once: they must exist before anything runs.
    private func statSources(of selected: Set<Int>) throws -> [String: FileStat] {
        var stats: [String: FileStat] = [:]
        for i in selected.sorted() {
            for d in graph.reads[i].sources {
                let dep = graph.stages[i].deps[d]
                let path = workspace.absolute(dep)
                guard let stat = workspace.fileSystem.stat(path) else {
                    throw RunnerError.missingDependency(stage: graph.stages[i].name, path: dep)
                }
                stats[path] = stat
            }
        }
        return stats
    }
}

/// A run that could not start.
public enum RunnerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownTarget(String)
    case missingDependency(stage: String, path: String)

    public var description: String {
        switch self {
        case .unknownTarget(let name): "no stage named '\(name)'"
        case .missingDependency(let stage, let path):
            "dependency '\(path)' of stage '\(stage)' is neither an existing file nor an output of any stage"
        }
    }
}
