import Testing
@testable import Tuner

@Suite("Manual sweeps")
struct SweepTests {
    let baseline = Configuration(values: ["initial_lr": .double(0.1), "weight_decay": .double(0), "model": .string("resnet20")])

    @Test("one-at-a-time varies one parameter at a time from the baseline, each configuration once")
    func oneAtATime() {
        let sweep = Sweep(strategy: .oneAtATime, baseline: baseline,
                          vary: [("initial_lr", [.double(0.01), .double(0.1)]), ("weight_decay", [.double(0.001)])])
        let points = sweep.firstRound
        #expect(points.map(\.label) == ["baseline", "initial_lr=0.01", "weight_decay=0.001"])
        #expect(points.map(\.parameter) == [nil, "initial_lr", "weight_decay"])
        #expect(points[1].configuration["weight_decay"] == .double(0))
        #expect(points[1].configuration["initial_lr"] == .double(0.01))
        #expect(points[2].configuration["model"] == .string("resnet20"))
    }

    @Test("combine-best puts each parameter's best value together and adds the listed combinations, never a point already tried")
    func combineBest() {
        let sweep = Sweep(strategy: .oneAtATime, baseline: baseline,
                          vary: [("initial_lr", [.double(0.01), .double(0.5)]), ("weight_decay", [.double(0.001)])],
                          combinations: [Configuration(values: ["initial_lr": .double(0.5), "model": .string("resnet56")])])
        let first = sweep.firstRound
        var metrics: [Configuration: Double] = [:]
        for (point, metric) in zip(first, [0.80, 0.85, 0.70, 0.90]) { metrics[point.configuration] = metric }
        let best = sweep.bestValues(metrics, maximize: true)
        #expect(best.map(\.name) == ["initial_lr", "weight_decay"])
        #expect(best.map(\.value) == [.double(0.01), .double(0.001)])
        let second = sweep.combineBest(metrics, maximize: true)
        #expect(second.map(\.label) == ["combined best", "combination 1"])
        #expect(second[0].configuration == Configuration(values: ["initial_lr": .double(0.01), "weight_decay": .double(0.001), "model": .string("resnet20")]))
        #expect(second[1].configuration == Configuration(values: ["initial_lr": .double(0.5), "weight_decay": .double(0), "model": .string("resnet56")]))

        // Minimising, the best values are initial_lr=0.5 and the baseline's weight_decay: a point
        // already tried, so only the listed combination is left.
        let minimized = sweep.combineBest(metrics, maximize: false)
        #expect(sweep.bestValues(metrics, maximize: false).map(\.value) == [.double(0.5), .double(0)])
        #expect(minimized.map(\.label) == ["combination 1"])
    }

    @Test("a tie goes to the baseline; a parameter with no finished point keeps the baseline value")
    func ties() {
        let sweep = Sweep(strategy: .oneAtATime, baseline: baseline, vary: [("initial_lr", [.double(0.01)]), ("weight_decay", [.double(0.1)])])
        let first = sweep.firstRound
        let metrics = [first[0].configuration: 0.5, first[1].configuration: 0.5]
        #expect(sweep.bestValues(metrics, maximize: true).map(\.value) == [.double(0.1), .double(0)])
        #expect(sweep.combineBest(metrics, maximize: true).isEmpty)
    }

    @Test("grid tries every combination")
    func grid() {
        let sweep = Sweep(strategy: .grid, baseline: baseline,
                          vary: [("initial_lr", [.double(0.01), .double(0.1)]), ("weight_decay", [.double(0), .double(0.001), .double(0.01)])])
        #expect(sweep.firstRound.count == 6)
        #expect(Set(sweep.firstRound.map(\.configuration)).count == 6)
        #expect(sweep.firstRound.last?.label == "initial_lr=0.1, weight_decay=0.01")
        #expect(sweep.combineBest([:], maximize: true).isEmpty)
    }

    @Test("numbers are equal by value, however they were stored: 1 read back from JSON is the 1.0 that was written")
    func numericEquality() throws {
        #expect(ParameterValue.int(1) == .double(1.0))
        #expect(ParameterValue.int(1) != .double(1.5))
        #expect(ParameterValue.string("1") != .int(1))
        let written = Configuration(values: ["x": .double(1.0), "y": .string("a")])
        let read = try Configuration.parse(json: written.json)
        #expect(read == written)
        #expect(Set([written]).contains(read))
    }

    @Test("progress says trials done, the best so far and the time left")
    func progress() {
        let best = TrialRecord(number: 4, configuration: baseline, key: "k", status: .succeeded, metric: 0.8311)
        let trial = TrialRecord(number: 7, configuration: baseline, key: "k7", status: .succeeded, metric: 0.8123)
        let line = ExperimentProgress(finished: 7, maxTrials: 20, best: best, elapsed: 190, secondsLeft: 350).line(for: trial)
        #expect(line == "trial 7 succeeded 0.8123 · 7/20 done · best 0.8311 (#4) · 3m10s elapsed, about 5m50s left")
        let last = ExperimentProgress(finished: 20, maxTrials: 20, best: nil, elapsed: 5, secondsLeft: 0).line(for: trial)
        #expect(last.hasSuffix("no best yet · 5.00s elapsed"))
    }
}
