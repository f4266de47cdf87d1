import Dashboard
import Foundation
import Testing
import Tuner

@Suite("labmake serve: an experiment's budget and time left")
struct ExperimentSummaryTests {
    @Test("while trials run, the time left is the trials to go at the mean finished trial's pace over the trials running at once")
    func timeLeft() async throws {
        let fixture = try DashboardFixture()
        var trials = (1...4).map { fixture.trial($0, metric: Double($0) / 10, seconds: 10) }
        trials.append(fixture.trial(5, metric: 0.9, seconds: 0, reused: true))
        trials += [fixture.trial(6, .running), fixture.trial(7, .running)]
        try fixture.save(trials, experiment: "tune#eta")
        let pipeline = PipelineState(file: "labmake.yaml", stages: [.init(name: "tune", kind: "tune", status: "running", maximize: true, maxTrials: 25)])
        let (server, http) = try await fixture.serve(pipeline: { pipeline })
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune").body
        // 25 − 5 over = 20 to go, 10 s each (the reused trial took no time and is not counted), 2 at once: 100 s.
        #expect(page.contains("data-testid=\"eta\" data-seconds=\"100\">about 1 min 40 s left (20 trials to go"))
        #expect(page.contains("data-testid=\"budget\" data-fraction=\"0.200\""))
        try fixture.save([fixture.trial(6, metric: 0.5), fixture.trial(7, metric: 0.6)], experiment: "tune#eta")
        #expect(await eventuallyAsync { !((try? await http.get("/experiment?name=tune").body) ?? "data-testid=\"eta\"").contains("data-testid=\"eta\"") },
                "no estimate once nothing runs")
    }
}
