import Dashboard
import Foundation
import Testing
import Tuner

/// `/api/v1/nni/…` read as NNI's own client reads it (`nni/experiment/data.py`): `TrialJob(**job)` takes exactly
/// its keys, hyperParameters are JSON texts, metric `data` decodes twice, export `value` once.
@Suite("labmake serve: NNI's REST API, read only")
struct NNIRestFacadeTests {
    static func json(_ http: HTTPProbe, _ path: String) async throws -> Any {
        let response = try await http.get(path)
        #expect(response.status == 200, "\(path): \(response.body)")
        return try JSONSerialization.jsonObject(with: Data(response.body.utf8), options: [.fragmentsAllowed])
    }

    static func decode(_ text: Any?) throws -> Any {
        try JSONSerialization.jsonObject(with: Data((text as? String ?? "").utf8), options: [.fragmentsAllowed])
    }

    @Test("trial jobs, metric data, export data, status and profile in NNI's shapes; a write is refused")
    func shapes() async throws {
        let fixture = try DashboardFixture()
        try fixture.save([fixture.trial(1, metric: 0.1)], experiment: "older#bbb")
        var dict = fixture.trial(2, metric: 0.7, parameters: ["lr": .double(0.01), "opt": .string("adam")], intermediates: [0.5])
        dict.metricDetails = #"{"default":0.7,"loss":0.3}"#
        try fixture.save([fixture.trial(1, metric: 0.93, parameters: ["lr": .double(0.1), "opt": .string("sgd")], intermediates: [0.4, 0.8]),
                          dict, fixture.trial(3, .running, parameters: ["lr": .double(0.05), "opt": .string("sgd")], intermediates: [0.2])],
                         experiment: "tune#aaa")
        let (server, http) = try await fixture.serve()
        defer { Task { await server.stop() } }

        let status = try #require(try await Self.json(http, "/api/v1/nni/check-status") as? [String: Any])
        #expect(status["status"] as? String == "RUNNING")
        let jobs = try #require(try await Self.json(http, "/api/v1/nni/trial-jobs") as? [[String: Any]])
        #expect(jobs.count == 3, "the latest experiment by default")
        let keys: Set<String> = ["trialJobId", "status", "logPath", "startTime", "sequenceId", "endTime", "stderrPath", "hyperParameters", "finalMetricData"]
        #expect(jobs.allSatisfy { Set($0.keys) == keys }, "TrialJob(**job) takes exactly these")
        #expect(jobs.map { $0["trialJobId"] as? String } == ["trial-1", "trial-2", "trial-3"] && jobs.map { $0["sequenceId"] as? Int } == [0, 1, 2])
        let hyper = try #require(try Self.decode((jobs[0]["hyperParameters"] as? [Any])?.first) as? [String: Any])
        #expect(hyper["parameter_id"] as? Int == 0 && (hyper["parameters"] as? [String: Any])?["opt"] as? String == "sgd")
        let final = try #require((jobs[0]["finalMetricData"] as? [[String: Any]])?.first)
        #expect(try Self.decode(try Self.decode(final["data"])) as? Double == 0.93)

        let metrics = try #require(try await Self.json(http, "/api/v1/nni/metric-data/trial-1") as? [[String: Any]])
        #expect(metrics.map { $0["type"] as? String } == ["PERIODICAL", "PERIODICAL", "FINAL"])
        #expect(try metrics.map { try Self.decode(try Self.decode($0["data"])) as? Double } == [0.4, 0.8, 0.93])
        #expect(Set(metrics[0].keys) == ["timestamp", "trialJobId", "parameterId", "type", "sequence", "data"])
        let finals = try #require(try await Self.json(http, "/api/v1/nni/metric-data?type=FINAL") as? [[String: Any]])
        #expect(finals.count == 2)
        let details = try #require(try Self.decode(try Self.decode(finals[1]["data"])) as? [String: Any])
        #expect(details["loss"] as? Double == 0.3)

        let export = try #require(try await Self.json(http, "/api/v1/nni/export-data") as? [[String: Any]])
        #expect(export.allSatisfy { Set($0.keys) == ["parameter", "value", "trialJobId"] } && export.count == 2)
        #expect(try Self.decode(export[0]["value"]) as? Double == 0.93)
        let running = try #require(try await Self.json(http, "/api/v1/nni/trial-jobs?status=RUNNING") as? [[String: Any]])
        #expect(running.map { $0["trialJobId"] as? String } == ["trial-3"])
        let profile = try #require(try await Self.json(http, "/api/v1/nni/experiment") as? [String: Any])
        #expect((profile["params"] as? [String: Any])?["experimentName"] as? String == "tune#aaa" && profile["nextSequenceId"] as? Int == 3)

        let other = try #require(try await Self.json(http, "/api/v1/nni/check-status?experiment=older%23bbb") as? [String: Any])
        #expect(other["status"] as? String == "DONE")
        let missing = try await http.get("/api/v1/nni/trial-jobs/trial-9")
        #expect(missing.status == 404 && missing.body.contains("tune#aaa has no trial trial-9"))
        #expect(try await http.get("/api/v1/nni/tensorboard").status == 404)
        #expect(try await http.request("DELETE", "/api/v1/nni/trial-jobs/trial-3", body: nil).status == 403)
    }
}
