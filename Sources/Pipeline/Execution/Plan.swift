/// What a run intends to do and where it stands, as ninja's `Plan`: the stages wanted (the targets and
/// everything they depend on), which are ready to be judged, which are under way, and what a failure
/// or a stop does to the rest. A pure value with no I/O; ``Runner`` drives it, and tests drive it alone.
///
/// A stage is, in turn: waiting (for upstream stages), ready, started (taken by ``nextReady()``), and
/// done (``finished(_:ok:)``, or skipped). A failed stage skips everything downstream of it; after a
/// failure without `keepGoing`, or a ``stop()``, no stage is handed out again.
public struct Plan: Sendable {
    /// Why a stage was not run.
    public enum SkipReason: Sendable, Hashable, CustomStringConvertible {
        /// A stage it depends on failed.
        case upstreamFailed(String)
        /// The run stopped (a failure without keep-going).
        case stoppedAfterFailure
        /// The run was interrupted.
        case interrupted

        public var description: String {
            switch self {
            case .upstreamFailed(let stage): "upstream stage \(stage) failed"
            case .stoppedAfterFailure: "the run stopped after a failure"
            case .interrupted: "interrupted"
            }
        }
    }

    private enum State: Sendable, Equatable { case waiting(Int), ready, started, done }

    private let graph: Graph
    private let keepGoing: Bool
    /// The stages this run brings up to date, ascending (a topological order).
    public let selected: [Int]
    /// By stage index; nil for stages not selected.
    private var states: [State?]
    private var ready: Heap
    /// Whether no stage will be handed out any more.
    public private(set) var isStopping = false

    /// Plans to bring `targets` (all stages when empty) and their upstream stages up to date.
    public init(graph: Graph, targets: [Int] = [], keepGoing: Bool = false) {
        self.graph = graph
        self.keepGoing = keepGoing
        let chosen = Set(targets.isEmpty ? Array(graph.stages.indices) : graph.closure(of: targets))
        selected = chosen.sorted()
        states = Array(repeating: nil, count: graph.stages.count)
        var initiallyReady: [Int] = []
        for i in selected {
            let upstream = graph.upstream[i].filter(chosen.contains).count
            states[i] = upstream == 0 ? .ready : .waiting(upstream)
            if upstream == 0 { initiallyReady.append(i) }
        }
        ready = Heap(initiallyReady)
    }

    /// The next stage whose upstream stages are all done, lowest index first, now started; nil when
    /// none is ready or the plan is stopping.
    public mutating func nextReady() -> Int? {
        guard !isStopping else { return nil }
        while let i = ready.popMin() {
            guard states[i] == .ready else { continue }
            states[i] = .started
            return i
        }
        return nil
    }

    /// Records that started stage `i` ended. Returns the stages this skips: after a failure, every
    /// selected stage downstream of it that is not done; and, without keep-going, every other stage
    /// that has not started (see ``SkipReason``).
    public mutating func finished(_ i: Int, ok: Bool) -> [(stage: Int, reason: SkipReason)] {
        guard i < states.count, states[i] != nil, states[i] != .done else { return [] }
        states[i] = .done
        guard ok else {
            var skipped: [(stage: Int, reason: SkipReason)] = []
            for d in graph.allDownstream(of: i).sorted() where states[d] != nil && states[d] != .done {
                states[d] = .done
                skipped.append((d, .upstreamFailed(graph.stages[i].name)))
            }
            if !keepGoing { skipped += stop(because: .stoppedAfterFailure) }
            return skipped
        }
        for d in graph.downstream[i] {
            guard case .waiting(let n)? = states[d] else { continue }
            states[d] = n == 1 ? .ready : .waiting(n - 1)
            if n == 1 && !isStopping { ready.insert(d) }
        }
        return []
    }

    /// Stops the plan: no stage is handed out any more. Returns every stage that had not started,
    /// now skipped for `reason`; stages under way still end through ``finished(_:ok:)``.
    public mutating func stop(because reason: SkipReason = .interrupted) -> [(stage: Int, reason: SkipReason)] {
        isStopping = true
        var skipped: [(stage: Int, reason: SkipReason)] = []
        for i in selected {
            switch states[i] {
            case .waiting?, .ready?:
                states[i] = .done
                skipped.append((i, reason))
            default: break
            }
        }
        return skipped
    }

    /// Skips stage `i`, handed out by ``nextReady()`` but not to be run (the run is stopping).
    public mutating func skip(_ i: Int) {
        states[i] = .done
    }

    /// Whether every selected stage is done.
    public var isComplete: Bool { selected.allSatisfy { states[$0] == .done } }

    /// Stages handed out and not yet finished.
    public var underWay: Int { selected.filter { states[$0] == .started }.count }
}
