import Pipeline
import Testing

@Suite("The graph")
struct GraphTests {
    func stage(_ name: String, needs: [String] = [], deps: [String] = [], outs: [String] = []) -> StageDefinition {
        StageDefinition(name: name, command: "x", deps: deps, outs: outs, needs: needs)
    }

    @Test("stages are ordered topologically, keeping declaration order where edges allow")
    func order() throws {
        let graph = try Graph([
            stage("report", needs: ["train"]),
            stage("data", outs: ["d"]),
            stage("train", deps: ["d"], outs: ["m"]),
            stage("lint"),
        ])
        #expect(graph.stages.map(\.name) == ["data", "train", "report", "lint"])
        #expect(graph.upstream == [[], [0], [1], []])
        #expect(graph.downstream == [[1], [2], [], []])
    }

    @Test("a cycle is reported with the stages on it, in dependency order")
    func cycle() throws {
        #expect(throws: GraphError.cycle(["a", "c", "b"])) {
            try Graph([stage("a", needs: ["c"]), stage("b", needs: ["a"]), stage("c", needs: ["b"])])
        }
        // Reading one's own output is not an edge; the manifest rejects it with a message of its own.
        #expect(try Graph([stage("a", deps: ["o"], outs: ["o"])]).upstream == [[]])
    }

    @Test("an unknown need names both stages")
    func unknown() {
        #expect(throws: GraphError.unknownStage("nope", neededBy: "a")) { try Graph([stage("a", needs: ["nope"])]) }
    }

    @Test("closure and downstream follow edges transitively")
    func reachability() throws {
        let graph = try Graph([stage("a"), stage("b", needs: ["a"]), stage("c", needs: ["b"]), stage("d", needs: ["a"])])
        #expect(graph.closure(of: [graph.index(of: "c")!]).map { graph.stages[$0].name } == ["a", "b", "c"])
        #expect(graph.allDownstream(of: 0).map { graph.stages[$0].name }.sorted() == ["b", "c", "d"])
    }

    @Test("each stage knows which of its dependencies are plain files and which upstream outputs it reads")
    func reads() throws {
        let graph = try Graph([
            stage("data", outs: ["data", "meta.json"]),
            stage("train", needs: ["data"], deps: ["train.py", "data/x.bin"], outs: ["model"]),
        ])
        #expect(graph.reads[0] == StageReads())
        #expect(graph.reads[1].sources == [0], "train.py")
        #expect(graph.reads[1].inputs == [.init(stage: 0, output: 0), .init(stage: 0, output: 1)],
                "the whole data directory for data/x.bin, then meta.json through needs")
    }

    @Test("a graph rebuilt from its sorted stages and edges is the same graph")
    func rebuilt() throws {
        let graph = try Graph([stage("b", needs: ["a"]), stage("a")])
        let copy = Graph(sortedStages: graph.stages, upstream: graph.upstream, reads: graph.reads)
        #expect(copy.stages == graph.stages)
        #expect(copy.downstream == graph.downstream)
        #expect(copy.index(of: "b") == 1)
    }

    @Test("outputs are found by exact path, by containing directory and by contained file")
    func outputIndex() {
        let index = OutputIndex([stage("a", outs: ["out/model.bin"]), stage("b", outs: ["data"])])
        #expect(index.stages(overlapping: "out/model.bin") == [0])
        #expect(index.stages(overlapping: "./out//") == [0])
        #expect(index.stages(overlapping: "data/train/x.bin") == [1])
        #expect(index.stages(overlapping: "out/other.bin").isEmpty)
        #expect(OutputIndex([stage("a", outs: ["d"]), stage("b", outs: ["d/e"])]).nestedOutputs().map(\.inner) == ["d/e"])
    }
}

@Suite("Paths")
struct PathRulesTests {
    @Test("normalization", arguments: [
        ("a/b", "a/b"), ("./a//b/", "a/b"), ("a/./b", "a/b"), ("/abs//x/", "/abs/x"), (".", ""), ("a/../b", "a/../b"),
    ])
    func normalized(_ input: String, _ expected: String) {
        #expect(PathRules.normalized(input) == expected)
    }

    @Test("outside the workspace", arguments: [
        ("../x", true), ("/tmp/x", true), ("a/../../x", true), (".", true), ("~/x", true), ("a/../b", false), ("out/x", false),
    ])
    func outside(_ path: String, _ expected: Bool) {
        #expect(PathRules.isOutsideWorkspace(path) == expected)
    }
}
