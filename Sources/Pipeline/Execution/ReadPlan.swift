/// What each stage reads, worked out once per run from the graph: the files no stage writes, and the
/// upstream outputs it keys on — those its dependencies name (whole, when a dependency lies inside
/// one) and every output of the stages it `needs`.
struct ReadPlan {
    struct Reads {
        /// Normalized dependency paths that no stage writes.
        var sources: [String] = []
        /// (upstream stage, normalized output path), each once.
        var inputs: [(stage: Int, path: String)] = []
    }

    let reads: [Reads]

    init(_ graph: Graph) {
        let index = OutputIndex(graph.stages)
        reads = graph.stages.indices.map { i in
            let stage = graph.stages[i]
            var reads = Reads()
            var seen = Set<String>()
            func add(_ u: Int, _ out: String) {
                if seen.insert("\(u)\t\(out)").inserted { reads.inputs.append((u, out)) }
            }
            for dep in stage.deps {
                let path = PathRules.normalized(dep)
                let producers = Set(index.stages(overlapping: path)).subtracting([i])
                if producers.isEmpty { reads.sources.append(path) }
                for u in producers.sorted() {
                    for out in graph.stages[u].outs.map(PathRules.normalized) where PathRules.overlap(out, path) { add(u, out) }
                }
            }
            let needed = Set(stage.needs)
            for u in graph.upstream[i] where needed.contains(graph.stages[u].name) {
                for out in graph.stages[u].outs { add(u, PathRules.normalized(out)) }
            }
            return reads
        }
    }
}
