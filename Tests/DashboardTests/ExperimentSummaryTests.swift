import Dashboard
import Foundation
import Testing
import Tuner

@Suite("labmake serve: an experiment's budget and time left")
struct ExperimentSummaryTests {
    @Test("while trials run, the time left is the trials to go at the pace of the latest finished trials, over the trials running at once")
    func timeLeft() async throws {
        let fixture = try DashboardFixture()
        // Twelve fast trials from an earlier run, then four of 10 s: the latest ten pace the estimate.
        var trials = (1...12).map { fixture.trial($0, metric: Double($0) / 100, start: Double($0), seconds: 0.5) }
        trials += (13...16).map { fixture.trial($0, metric: Double($0) / 100, start: 100 + Double($0) * 10, seconds: 10) }
        trials.append(fixture.trial(17, metric: 0.9, start: 300, seconds: 0, reused: true))
        trials += [fixture.trial(18, .running), fixture.trial(19, .running)]
        try fixture.save(trials, experiment: "tune#eta")
        let pipeline = PipelineState(file: "labmake.yaml", stages: [.init(name: "tune", kind: "tune", status: "running", maximize: true, maxTrials: 37)])
        let (server, http) = try await fixture.serve(pipeline: { pipeline })
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune").body
        // 37 − 17 over = 20 to go; the latest ten (the reused one not counted): four of 10 s and six of 0.5 s, 4.3 s
        // on average; 2 at once: 43 s.
        #expect(page.contains("data-testid=\"eta\" data-seconds=\"43\">about 43.0 s left (20 trials to go"))
        #expect(page.contains("data-testid=\"budget\" data-fraction=\"0.459\""))
        try fixture.save([fixture.trial(18, metric: 0.5), fixture.trial(19, metric: 0.6)], experiment: "tune#eta")
        #expect(await eventuallyAsync { !((try? await http.get("/experiment?name=tune").body) ?? "data-testid=\"eta\"").contains("data-testid=\"eta\"") },
                "no estimate once nothing runs")
    }
}
