import Pipeline
import Testing

/// The run's plan on its own, with no workspace: what is handed out when, and what a failure or a
/// stop skips.
@Suite("The plan")
struct PlanTests {
    func stage(_ name: String, needs: [String] = []) -> StageDefinition {
        StageDefinition(name: name, command: "x", deps: [], outs: [], needs: needs)
    }

    /// a → b → d, a → c → d, e alone.
    func diamond() throws -> Graph {
        try Graph([stage("a"), stage("b", needs: ["a"]), stage("c", needs: ["a"]), stage("d", needs: ["b", "c"]), stage("e")])
    }

    func names(_ graph: Graph, _ indices: [Int]) -> [String] { indices.map { graph.stages[$0].name } }

    /// Hands out every ready stage.
    func drain(_ plan: inout Plan) -> [Int] {
        var out: [Int] = []
        while let i = plan.nextReady() { out.append(i) }
        return out
    }

    @Test("stages are handed out once their upstream stages are done, lowest index first")
    func order() throws {
        let graph = try diamond()
        var plan = Plan(graph: graph)
        #expect(names(graph, drain(&plan)) == ["a", "e"])
        #expect(plan.underWay == 2)
        #expect(plan.finished(graph.index(of: "a")!, ok: true).isEmpty)
        #expect(names(graph, drain(&plan)) == ["b", "c"])
        _ = plan.finished(graph.index(of: "c")!, ok: true)
        #expect(drain(&plan).isEmpty, "d still waits for b")
        _ = plan.finished(graph.index(of: "b")!, ok: true)
        #expect(names(graph, drain(&plan)) == ["d"])
        _ = plan.finished(graph.index(of: "d")!, ok: true)
        #expect(!plan.isComplete)
        _ = plan.finished(graph.index(of: "e")!, ok: true)
        #expect(plan.isComplete)
    }

    @Test("targets select themselves and their upstream stages only")
    func targets() throws {
        let graph = try diamond()
        var plan = Plan(graph: graph, targets: [graph.index(of: "b")!])
        #expect(names(graph, plan.selected) == ["a", "b"])
        #expect(names(graph, drain(&plan)) == ["a"])
    }

    @Test("a failure skips what depends on it and, without keep-going, everything not started")
    func failureStops() throws {
        let graph = try diamond()
        var plan = Plan(graph: graph)
        _ = drain(&plan)  // a, e
        let skipped = plan.finished(graph.index(of: "a")!, ok: false)
        #expect(skipped.map { names(graph, [$0.stage])[0] } == ["b", "c", "d"])
        #expect(skipped.allSatisfy { $0.reason == .upstreamFailed("a") })
        #expect(plan.isStopping)
        #expect(plan.nextReady() == nil)
        _ = plan.finished(graph.index(of: "e")!, ok: true)
        #expect(plan.isComplete)
    }

    @Test("with keep-going, a failure skips only its downstream stages")
    func keepGoing() throws {
        let graph = try Graph([stage("a"), stage("b", needs: ["a"]), stage("c"), stage("d", needs: ["c"])])
        var plan = Plan(graph: graph, keepGoing: true)
        #expect(names(graph, drain(&plan)) == ["a", "c"])
        #expect(plan.finished(0, ok: false).map(\.stage) == [1])
        #expect(!plan.isStopping)
        _ = plan.finished(2, ok: true)
        #expect(names(graph, drain(&plan)) == ["d"])
    }

    @Test("after a failure without keep-going, stages that were not started are skipped as stopped")
    func stopSkipsTheRest() throws {
        let graph = try Graph([stage("a"), stage("b"), stage("c", needs: ["b"])])
        var plan = Plan(graph: graph)
        #expect(plan.nextReady() == 0)
        let skipped = plan.finished(0, ok: false)
        #expect(skipped.map(\.stage) == [1, 2])
        #expect(skipped.allSatisfy { $0.reason == .stoppedAfterFailure })
        #expect(plan.isComplete)
    }

    @Test("a stop skips every stage not started; stages under way still finish")
    func interrupt() throws {
        let graph = try diamond()
        var plan = Plan(graph: graph)
        #expect(plan.nextReady() == 0)
        let skipped = plan.stop()
        #expect(names(graph, skipped.map(\.stage)) == ["b", "c", "d", "e"])
        #expect(skipped.allSatisfy { $0.reason == .interrupted })
        #expect(plan.nextReady() == nil)
        #expect(plan.finished(0, ok: true).isEmpty)
        #expect(plan.isComplete)
        #expect(plan.finished(0, ok: true).isEmpty, "finishing twice changes nothing")
    }
}
