import Dashboard
import Foundation
import Testing
import Tuner

/// The chart settings of an experiment's page, kept in the URL: a reported key drawn instead of the
/// metric, a log scale, a zoomed range.
@Suite("labmake serve: which key the charts draw, log scale and zoom")
struct ChartSettingsTests {
    static func fixture() throws -> DashboardFixture {
        let fixture = try DashboardFixture()
        try fixture.save((1...6).map { (n: Int) -> TrialRecord in
            var t = fixture.trial(n, metric: Double(n) / 10, parameters: ["lr": .double(Double(n) / 100)], intermediates: [0.05, Double(n) / 10])
            t.metricDetails = n == 6 ? nil : "{\"default\":\(Double(n) / 10),\"loss\":\(Double(10 - n)),\"converged\":true}"
            return t
        }, experiment: "tune#keys")
        return fixture
    }

    static func history(_ page: String) -> String {
        page.components(separatedBy: "data-testid=\"history\"").dropFirst().first?.components(separatedBy: "</figure>").first ?? ""
    }

    @Test("a dict metric's keys can be charted; the trials that did not report the key have no dot; an unknown key says so")
    func keys() async throws {
        let fixture = try Self.fixture()
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune%23keys").body
        #expect(page.contains("<option>loss</option>") && !page.contains("<option>converged</option>"), "numbers only")
        let loss = try await http.get("/experiment?name=tune%23keys&key=loss").body
        let history = Self.history(loss)
        #expect(history.contains("loss per trial"))
        #expect(history.components(separatedBy: "<circle").count - 1 == 5)
        #expect(history.contains("trial 1: 9</title>") && !history.contains("trial 6:"))
        #expect(loss.contains("<option selected>loss</option>"))
        let unknown = try await http.get("/experiment?name=tune%23keys&key=accuracy").body
        #expect(unknown.contains("data-testid=\"key-problem\">No trial reported 'accuracy' (keys: loss)"))
        #expect(Self.history(unknown).components(separatedBy: "<circle").count - 1 == 6, "the metric instead")
    }

    @Test("a log scale and a zoomed range are drawn from the URL; values outside the range are left out; a bad range is named")
    func axis() async throws {
        let fixture = try Self.fixture()
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let plain = Self.history(try await http.get("/experiment?name=tune%23keys").body)
        #expect(plain.contains("data-zoom=\"y\"") && !plain.contains("log scale"))
        let log = Self.history(try await http.get("/experiment?name=tune%23keys&logy=1").body)
        #expect(log.contains("log scale") && log.contains("data-scale=\"log\""))
        let zoomed = try await http.get("/experiment?name=tune%23keys&y=0.25%3A0.45").body
        let circles = Self.history(zoomed).components(separatedBy: "<circle").dropFirst()
        #expect(circles.compactMap { $0.components(separatedBy: "data-trial=\"").dropFirst().first?.prefix { $0 != "\"" } } == ["3", "4"])
        #expect(zoomed.contains("data-testid=\"unzoom\""))
        #expect(zoomed.contains("data-low=\"0.25\" data-high=\"0.45\""))
        let bad = try await http.get("/experiment?name=tune%23keys&y=high").body
        #expect(bad.contains("data-testid=\"range-problem\">'high' is no range"))
        #expect(Self.history(bad).components(separatedBy: "<circle").count - 1 == 6)
    }

    @Test("the contour chart draws the two numeric parameters that go most with the metric, or the two the URL names")
    func contour() async throws {
        let fixture = try DashboardFixture()
        try fixture.save((1...30).map { (n: Int) -> TrialRecord in
            let lr = Double(n % 6) / 10, depth = Double(n % 5), noise = Double((n * 7) % 3)
            return fixture.trial(n, metric: lr * 2 + depth / 2, parameters: ["lr": .double(lr), "depth": .double(depth), "noise": .double(noise),
                                                                            "opt": .string(n % 2 == 0 ? "a" : "b")])
        }, experiment: "tune#contour")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        let page = try await http.get("/experiment?name=tune%23contour").body
        #expect(page.contains("data-testid=\"contour\" data-x=\"depth\" data-y=\"lr\""))
        let chosen = try await http.get("/experiment?name=tune%23contour&cx=noise&cy=lr").body
        #expect(chosen.contains("data-testid=\"contour\" data-x=\"noise\" data-y=\"lr\""))
        // Each settings form carries the others: choosing a grouping keeps the contour's parameters, and back.
        let both = try await http.get("/experiment?name=tune%23contour&cx=noise&cy=lr&group=opt&logy=1").body
        let groupForm = both.components(separatedBy: "data-testid=\"group-form\">").dropFirst().first?.components(separatedBy: "</form>").first ?? ""
        #expect(groupForm.contains("name=\"cx\" value=\"noise\"") && groupForm.contains("name=\"logy\" value=\"1\"") && !groupForm.contains("name=\"group\" value"))
        let contourForm = both.components(separatedBy: "data-testid=\"contour-form\">").dropFirst().first?.components(separatedBy: "</form>").first ?? ""
        #expect(contourForm.contains("name=\"group\" value=\"opt\"") && !contourForm.contains("name=\"cx\" value"))
        let same = try await http.get("/experiment?name=tune%23contour&cx=lr&cy=lr").body
        #expect(same.contains("data-testid=\"contour\" data-x=\"lr\" data-y=\"depth\""), "two different parameters")
    }

    @Test("grouping by a seed gathers the repeats of each configuration: their mean curve, band and final results")
    func groups() async throws {
        let fixture = try DashboardFixture()
        var trials: [TrialRecord] = []
        for (i, lr) in [0.1, 0.01].enumerated() {
            for seed in 1...3 {
                let final = lr * 5 + Double(seed) / 100
                trials.append(fixture.trial(i * 3 + seed, metric: final, parameters: ["lr": .double(lr), "seed": .int(seed)],
                                            intermediates: [final / 2, final]))
            }
        }
        try fixture.save(trials, experiment: "tune#seeds")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        #expect(!(try await http.get("/experiment?name=tune%23seeds").body.contains("data-testid=\"group-table\"")))
        let page = try await http.get("/experiment?name=tune%23seeds&group=seed").body
        #expect(page.contains("<option selected>seed</option>"))
        #expect(page.contains("data-group=\"lr=0.1\" data-trials=\"3\"") && page.contains("data-group=\"lr=0.01\" data-trials=\"3\""))
        #expect(page.contains("<tr data-group=\"lr=0.1\"><td>lr=0.1</td><td class=\"num\">3</td><td class=\"num\">0.52</td><td class=\"num\">0.51</td><td class=\"num\">0.53</td></tr>"))
    }

    @Test("the parallel coordinates draw the axes the URL names, in its order, and the best share of the trials")
    func parallelAxes() async throws {
        let fixture = try DashboardFixture()
        try fixture.save((1...30).map { (n: Int) -> TrialRecord in
            fixture.trial(n, metric: Double(n) / 30, parameters: ["lr": .double(Double(n) / 100), "opt": .string(n % 2 == 0 ? "a" : "b"),
                                                                  "depth": .int(n % 4)])
        }, experiment: "tune#axes")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }
        func parallel(_ query: String) async throws -> String {
            let page = try await http.get("/experiment?name=tune%23axes" + query).body
            return page.components(separatedBy: "data-testid=\"parallel\"").dropFirst().first?.components(separatedBy: "</figure>").first ?? ""
        }
        func labels(_ svg: String) -> [String] {
            svg.components(separatedBy: "data-axis-label=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        }
        #expect(labels(try await parallel("")) == ["depth", "lr", "opt"])
        #expect(labels(try await parallel("&axes=opt,lr")) == ["opt", "lr"])
        #expect(labels(try await parallel("&axis=lr&axis=depth")) == ["lr", "depth"], "the ticked boxes, in their order")
        #expect(labels(try await parallel("&axes=nothing")) == ["depth", "lr", "opt"], "unknown names fall back to every axis")
        let best = try await parallel("&top=20")
        #expect(best.contains("parameters (best 6 of 30)") && best.components(separatedBy: "<polyline").count - 1 == 6)
        #expect(best.contains("data-trial=\"30\"") && !best.contains("data-trial=\"24\""), "the best, not any six")
    }
}
