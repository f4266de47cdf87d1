/// The stages of a pipeline and the edges between them: a DAG in topological order.
///
/// Stage B depends on stage A when B `needs` A, or when one of B's `deps` is, contains, or lies inside
/// one of A's `outs`. Stages are addressed by their index in ``stages``, which is a topological order
/// that keeps declaration order wherever the edges allow.
public struct Graph: Sendable {
    /// Stages in topological order.
    public let stages: [StageDefinition]
    /// For each stage, the indices of the stages it depends on, ascending.
    public let upstream: [[Int]]
    /// For each stage, the indices of the stages that depend on it, ascending.
    public let downstream: [[Int]]
    /// For each stage, what it reads: see ``StageReads``.
    public let reads: [StageReads]
    private let indexByName: [String: Int]

    /// Builds the graph, or throws ``GraphError`` for an unknown `needs` or a cycle.
    public init(_ declared: [StageDefinition]) throws(GraphError) {
        var byName: [String: Int] = [:]
        for (i, stage) in declared.enumerated() { byName[stage.name] = i }

        let producers = OutputIndex(declared)
        var edges = Array(repeating: Set<Int>(), count: declared.count)
        var declaredReads = Array(repeating: StageReads(), count: declared.count)
        for (i, stage) in declared.enumerated() {
            var seen = Set<StageReads.Output>()
            func read(_ output: StageReads.Output) {
                if seen.insert(output).inserted { declaredReads[i].inputs.append(output) }
            }
            for need in stage.needs {
                guard let j = byName[need] else { throw .unknownStage(need, neededBy: stage.name) }
                edges[i].insert(j)
            }
            for (d, dep) in stage.deps.enumerated() {
                let path = PathRules.normalized(dep)
                let writers = Set(producers.stages(overlapping: path)).subtracting([i])
                if writers.isEmpty { declaredReads[i].sources.append(d) }
                for j in writers.sorted() {
                    edges[i].insert(j)
                    for (o, out) in declared[j].outs.enumerated() where PathRules.overlap(PathRules.normalized(out), path) {
                        read(StageReads.Output(stage: j, output: o))
                    }
                }
            }
            for need in stage.needs {
                let j = byName[need]!
                for o in declared[j].outs.indices { read(StageReads.Output(stage: j, output: o)) }
            }
        }
        if let cycle = Graph.findCycle(edges: edges) {
            throw .cycle(cycle.map { declared[$0].name })
        }

        // Kahn's algorithm, always taking the earliest-declared ready stage: stable and readable.
        var remaining = edges.map(\.count)
        var dependents = Array(repeating: [Int](), count: declared.count)
        for (i, ups) in edges.enumerated() { for j in ups { dependents[j].append(i) } }
        var ready = Heap((0..<declared.count).filter { remaining[$0] == 0 })
        var order: [Int] = []
        order.reserveCapacity(declared.count)
        while let i = ready.popMin() {
            order.append(i)
            for d in dependents[i] {
                remaining[d] -= 1
                if remaining[d] == 0 { ready.insert(d) }
            }
        }
        var position = Array(repeating: 0, count: declared.count)
        for (pos, i) in order.enumerated() { position[i] = pos }

        stages = order.map { declared[$0] }
        upstream = order.map { edges[$0].map { position[$0] }.sorted() }
        reads = order.map { i in
            StageReads(sources: declaredReads[i].sources,
                       inputs: declaredReads[i].inputs.map { StageReads.Output(stage: position[$0.stage], output: $0.output) })
        }
        var down = Array(repeating: [Int](), count: order.count)
        for (i, ups) in upstream.enumerated() { for j in ups { down[j].append(i) } }
        downstream = down
        indexByName = Dictionary(uniqueKeysWithValues: stages.enumerated().map { ($1.name, $0) })
    }

    /// A graph whose stages are already in topological order, each with the (lower) indices of the
    /// stages it depends on and what it reads: what a cache stored from an earlier ``init(_:)``.
    public init(sortedStages: [StageDefinition], upstream: [[Int]], reads: [StageReads]) {
        stages = sortedStages
        self.upstream = upstream
        self.reads = reads
        var down = Array(repeating: [Int](), count: sortedStages.count)
        for (i, ups) in upstream.enumerated() { for j in ups { down[j].append(i) } }
        downstream = down
        var byName: [String: Int] = [:]
        byName.reserveCapacity(sortedStages.count)
        for (i, stage) in sortedStages.enumerated() { byName[stage.name] = i }
        indexByName = byName
    }

    /// The index of the stage with this name.
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The given stages and everything they depend on, transitively, in topological order.
    public func closure(of targets: [Int]) -> [Int] {
        var seen = Set<Int>()
        var stack = targets
        while let i = stack.popLast() {
            guard seen.insert(i).inserted else { continue }
            stack.append(contentsOf: upstream[i])
        }
        return seen.sorted()
    }

    /// Every stage that depends on `index`, transitively.
    public func allDownstream(of index: Int) -> Set<Int> {
        var seen = Set<Int>()
        var stack = downstream[index]
        while let i = stack.popLast() {
            if seen.insert(i).inserted { stack.append(contentsOf: downstream[i]) }
        }
        return seen
    }

    /// One cycle, as a list of stage indices where each depends on the next and the last on the first.
    static func findCycle(edges: [Set<Int>]) -> [Int]? {
        enum Mark { case unvisited, active, done }
        var mark = Array(repeating: Mark.unvisited, count: edges.count)
        var path: [Int] = []
        func visit(_ i: Int) -> [Int]? {
            mark[i] = .active
            path.append(i)
            for j in edges[i].sorted() {
                switch mark[j] {
                case .active: return Array(path[path.firstIndex(of: j)!...])
                case .unvisited: if let c = visit(j) { return c }
                case .done: continue
                }
            }
            path.removeLast()
            mark[i] = .done
            return nil
        }
        for i in edges.indices where mark[i] == .unvisited {
            if let cycle = visit(i) { return cycle }
        }
        return nil
    }
}

/// Why a set of stages does not form a DAG.
public enum GraphError: Error, Sendable, Equatable {
    /// `neededBy` needs a stage that does not exist.
    case unknownStage(String, neededBy: String)
    /// Each stage depends on the next; the last depends on the first.
    case cycle([String])
}

/// What a stage reads, by position: the dependencies that no stage writes, and the upstream outputs
/// it keys on — those its dependencies name (whole, when a dependency lies inside one) and every
/// output of the stages it `needs`.
public struct StageReads: Sendable, Hashable {
    /// An output of another stage: its index in ``Graph/stages`` and the index in its `outs`.
    public struct Output: Sendable, Hashable {
        public var stage: Int
        public var output: Int

        public init(stage: Int, output: Int) {
            self.stage = stage
            self.output = output
        }
    }

    /// Indices into the stage's `deps` of the files that no stage writes.
    public var sources: [Int] = []
    /// Upstream outputs the stage reads, each once, in the order first named.
    public var inputs: [Output] = []

    public init(sources: [Int] = [], inputs: [Output] = []) {
        self.sources = sources
        self.inputs = inputs
    }
}
