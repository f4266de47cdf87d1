import Dashboard
import Foundation
import Pipeline
import Testing
import Yams

/// A stage's page shows its resolved definition as YAML that reads back as the same values, and the
/// search space it reads.
@Suite("labmake serve: a stage's definition and search space")
struct StageDefinitionTests {
    @Test("the definition on the page is YAML of the resolved stage, tricky strings quoted; the search space is the file's text")
    func definition() async throws {
        let fixture = try DashboardFixture()
        let with: [String: ConfigValue] = [
            "search_space": .string("space.json"), "max_trials": .int(20), "direction": .string("maximize"),
            "trial_command": .string("python3 train.py --lr 0.1 # not a comment"), "seed": .string("7"), "flag": .string("true"),
            "colon": .string("a: b"), "empty": .string(""), "list": .array([.int(1), .double(0.5), .string("-x")]),
            "nested": .object(["optimizer": .object(["name": .string("adam"), "betas": .array([.double(0.9), .double(0.999)])])]),
            "matrix": .array([.object(["lr": .double(0.1)]), .object(["lr": .double(0.01), "wd": .null])]),
        ]
        let definition = ConfigValue.object(["uses": .string("tune"), "with": .object(with), "deps": .array([.string("data/cifar")])])
        let space = #"{"lr": {"_type": "loguniform", "_value": [0.0001, 0.1]}}"#
        let pipeline = PipelineState(file: "labmake.yaml", stages: [
            .init(name: "tune", kind: "tune", status: "up-to-date", maximize: true, maxTrials: 20, tuner: "tpe", definition: definition,
                  location: "labmake.yaml:3:3", searchSpace: (space, "space.json")),
        ])
        try fixture.save([fixture.trial(1, metric: 0.5)], experiment: "tune#aaa")
        let (server, http) = try await fixture.serve(pipeline: { pipeline })
        defer { Task { await server.stop() } }
        #expect(try await http.get("/experiment?name=tune").body.contains("data-testid=\"stage-link\">tune</a>"))
        let page = try await http.get("/stage?name=tune").body
        #expect(page.contains("labmake.yaml:3:3, resolved"))
        let text = try #require(page.components(separatedBy: "data-testid=\"definition\">").dropFirst().first?.components(separatedBy: "</pre>").first)
        let yaml = Self.plain(text)
        let read = try #require(try Yams.load(yaml: yaml) as? [String: Any], "\(yaml)")
        #expect(Self.config(read) == definition, "\(yaml)")
        let shownSpace = page.components(separatedBy: "data-testid=\"search-space\">").dropFirst().first?.components(separatedBy: "</pre>").first
        #expect(shownSpace.map(Self.plain) == space)
    }

    /// Page text without its tags and entities.
    static func plain(_ html: String) -> String {
        var text = html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    /// What Yams read, as a configuration value.
    static func config(_ value: Any?) -> ConfigValue {
        switch value {
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let i as Int: return .int(i)
        case let d as Double: return .double(d)
        case let a as [Any]: return .array(a.map(config))
        case let o as [String: Any]: return .object(o.mapValues(config))
        default: return .null
        }
    }
}
