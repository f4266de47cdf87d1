import Foundation
import Report
import Testing

@Suite("Parameter importance and the distribution chart")
struct ParameterImportanceTests {
    /// 60 trials: the metric rises with `lr`, falls with `depth` a little, is set by `optimizer` (a choice) as much as
    /// by lr, and ignores `seed`; a deterministic scramble stands in for noise.
    static func fixture() -> (metrics: [Int: Double], values: [Int: [String: String]]) {
        var metrics: [Int: Double] = [:], values: [Int: [String: String]] = [:]
        for n in 1...60 {
            let lr = Double((n * 17) % 60) / 60, depth = Double((n * 7) % 5), seed = (n * 31) % 13
            let optimizer = n % 3 == 0 ? "adam" : (n % 3 == 1 ? "sgd" : "rmsprop")
            let bonus = ["adam": 1.0, "sgd": 0.0, "rmsprop": 0.5][optimizer]!
            metrics[n] = lr + bonus - 0.1 * depth + Double((n * 13) % 7) / 100
            values[n] = ["lr": String(lr), "depth": String(depth), "seed": String(seed), "optimizer": optimizer]
        }
        return (metrics, values)
    }

    @Test("a parameter that decides the metric ranks first; one it ignores ranks last; a number's sign says which way")
    func ranking() throws {
        let (metrics, values) = Self.fixture()
        let result = ParameterImportance.of(metrics: metrics, values: values, parameters: ["depth", "lr", "optimizer", "seed"])
        #expect(result.map(\.parameter).first == "optimizer")
        #expect(result.map(\.parameter).last == "seed")
        let lr = try #require(result.first { $0.parameter == "lr" })
        #expect(lr.direction == 1 && !lr.isChoice && lr.strength > 0.3)
        let depth = try #require(result.first { $0.parameter == "depth" })
        #expect(depth.direction == -1)
        #expect(result.first { $0.parameter == "optimizer" }?.isChoice == true)
        #expect(result.allSatisfy { $0.strength >= 0 && $0.strength <= 1 && $0.trials == 60 })
    }

    @Test("too few trials, one value, ties and a constant metric give no importance rather than a wrong one")
    func degenerate() {
        #expect(ParameterImportance.of(metrics: [1: 0.1, 2: 0.2], values: [1: ["x": "1"], 2: ["x": "2"]], parameters: ["x"]).isEmpty)
        #expect(ParameterImportance.of(metrics: [1: 0.1, 2: 0.2, 3: 0.3], values: [1: ["x": "1"], 2: ["x": "1"], 3: ["x": "1"]],
                                       parameters: ["x"]).isEmpty)
        let flat = ParameterImportance.of(metrics: [1: 0.5, 2: 0.5, 3: 0.5], values: [1: ["x": "1"], 2: ["x": "2"], 3: ["x": "3"]], parameters: ["x"])
        #expect(flat.first?.strength == 0)
        #expect(ParameterImportance.of(metrics: [1: 1, 2: 2, 3: 3, 4: 4], values: [1: ["x": "1"], 2: ["x": "1"], 3: ["x": "2"], 4: ["x": "2"]],
                                       parameters: ["x"]).first.map { abs($0.strength - 0.8944) < 1e-3 } == true, "ties share their rank")
    }

    @Test("the chart draws a bar per parameter, strongest first, and names its method")
    func chart() {
        let (metrics, values) = Self.fixture()
        let svg = ExperimentCharts.importance(ParameterImportance.of(metrics: metrics, values: values, parameters: ["lr", "optimizer", "seed"]),
                                              title: "importance")
        let bars = svg.components(separatedBy: "data-parameter=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
        #expect(bars.first == "optimizer" && bars.count == 3)
        #expect(svg.contains("Spearman"))
    }

    @Test("the distribution ends at one for every experiment, a line each, named")
    func distribution() {
        let series = [ExperimentCharts.Series(name: "tpe", metrics: [0.5, nil, 0.7, 0.9]), ExperimentCharts.Series(name: "random", metrics: [0.2, 0.4])]
        let svg = ExperimentCharts.distribution(series, title: "d", metric: "accuracy")
        let lines = svg.components(separatedBy: "<polyline points=\"").dropFirst()
        #expect(lines.count == 2)
        #expect(svg.contains("data-series=\"tpe\" data-points=\"3\"") && svg.contains("data-series=\"random\" data-points=\"2\""))
        // Every line ends at the top of the share axis (1), at the same height.
        let ends = lines.map { $0.prefix { $0 != "\"" }.split(separator: " ").last!.split(separator: ",").last! }
        #expect(Set(ends).count == 1)
        let starts = lines.map { $0.prefix { $0 != "\"" }.split(separator: " ").first!.split(separator: ",").last! }
        #expect(starts.allSatisfy { Double($0)! > Double(ends[0])! }, "lines start at 0, below where they end")
    }
}
