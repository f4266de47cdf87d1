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
public final class Runner: StaleStageExecutor, @unchecked Sendable {
    let graph: Graph
    let workspace: Workspace
    let kinds: StageKindRegistry
    let settings: PipelineSettings
    let observer: any RunObserver
    let interruptedFlag = Locked(false)
    /// How each stage has ended so far in this run, for ``PipelineView``.
    let statusesSoFar = Locked([String: StageStatus]())

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
        pool.withLock { $0 }?.wake()
    }

    var isInterrupted: Bool { interruptedFlag.withLock { $0 } }

    /// The pool of the run in progress, for ``interrupt()``.
    private let pool = Locked<WorkerPool<(Int, StageOutcome, ContentMap?)>?>(nil)

    /// Runs the pipeline. Throws, before anything runs, for an unknown target or a dependency that is
    /// neither a file nor another stage's output; and for a database that cannot be read.
    ///
    /// The runner's thread judges each stage the ``Plan`` hands out; stale stages go to a
    /// ``WorkerPool`` of `jobs` threads, and their outcomes come back to this thread, which tells the plan.
    public func run(_ options: RunOptions) throws -> RunSummary {
        var targets: [Int] = []
        for name in options.targets {
            guard let i = graph.index(of: name) else { throw RunnerError.unknownTarget(name) }
            targets.append(i)
        }
        var plan = Plan(graph: graph, targets: targets, keepGoing: options.keepGoing)
        var scan = ScanState(hasher: workspace.makeHasher(), summaries: try workspace.database.summaries(),
                             stable: try statSources(of: plan.selected))
        let workers = WorkerPool<(Int, StageOutcome, ContentMap?)>(width: options.jobs)
        pool.withLock { $0 = workers }
        defer { pool.withLock { $0 = nil } }

        var outcomes: [Int: StageOutcome] = [:]
        var outputs: [Int: ContentMap] = [:]
        var queued: [(Int, StageFingerprint, [StaleReason], ContentMap)] = []
        let executor: any StaleStageExecutor = options.dryRun ? DryRunExecutor(graph: graph) : self

        func record(_ i: Int, _ outcome: StageOutcome) {
            outcomes[i] = outcome
            statusesSoFar.withLock { $0[outcome.name] = outcome.status }
            observer.stageFinished(outcome)
        }
        func skip(_ stages: [(stage: Int, reason: Plan.SkipReason)]) {
            for (i, reason) in stages {
                record(i, StageOutcome(name: graph.stages[i].name, status: .skipped, skipReason: reason))
            }
        }
        func finish(_ i: Int, _ outcome: StageOutcome, _ result: ContentMap?) {
            if let result { outputs[i] = result }
            record(i, outcome)
            skip(plan.finished(i, ok: outcome.status != .failed))
        }

        while true {
            if isInterrupted && !plan.isStopping { skip(plan.stop(because: .interrupted)) }
            while let i = plan.nextReady() {
                let name = graph.stages[i].name
                do {
                    let upstreamStale = graph.upstream[i].filter { outcomes[$0]?.status == .stale }.map { graph.stages[$0].name }
                    switch try judge(i, outputs: outputs, force: options.force, upstreamStale: upstreamStale, scan: &scan) {
                    case .upToDate(let current):
                        finish(i, StageOutcome(name: name, status: .cached), current)
                    case .stale(let fingerprint, let reasons, let current) where executor.isImmediate:
                        let (outcome, result) = executor.bringUpToDate(i, fingerprint, reasons, current: current, force: options.force,
                                                                       hasher: scan.hasher)
                        finish(i, outcome, result)
                    case .stale(let fingerprint, let reasons, let current):
                        queued.append((i, fingerprint, reasons, current))
                    }
                } catch {
                    finish(i, StageOutcome(name: name, status: .failed, error: "\(error)"), nil)
                }
            }
            if plan.isStopping {
                let reason: Plan.SkipReason = isInterrupted ? .interrupted : .stoppedAfterFailure
                for (i, _, _, _) in queued {
                    plan.skip(i)
                    skip([(i, reason)])
                }
                queued.removeAll()
            }
            while workers.hasRoom, !queued.isEmpty {
                let (i, fingerprint, reasons, current) = queued.removeFirst()
                let (force, hasher) = (options.force, scan.hasher)
                workers.start {
                    let (outcome, result) = executor.bringUpToDate(i, fingerprint, reasons, current: current, force: force, hasher: hasher)
                    return (i, outcome, result)
                }
            }
            if workers.running == 0 && queued.isEmpty { break }
            for (i, outcome, result) in workers.waitForResults() { finish(i, outcome, result) }
        }
        try workspace.database.update(signatures: scan.refreshedSignatures, fileHashes: scan.hasher.takeFreshEntries())
        if outcomes.values.contains(where: { $0.status == .executed || $0.status == .restored }) || !scan.refreshedSignatures.isEmpty {
            try? workspace.database.checkpoint()
        }
        return RunSummary(outcomes: plan.selected.compactMap { outcomes[$0] }, interrupted: isInterrupted)
    }

    /// Stats every dependency that no stage writes, once: they must exist before anything runs.
    private func statSources(of selected: [Int]) throws -> [String: FileStat] {
        var stats: [String: FileStat] = [:]
        for i in selected {
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

extension Runner {
    /// A run brings stages up to date for real; see ``DryRunExecutor`` for the other kind.
    var isImmediate: Bool { false }
}
