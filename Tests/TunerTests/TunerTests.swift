import Foundation
import Randomness
import SystemIO
import Testing
import Tuner

let spaceJSON = """
{"lr": {"_type": "loguniform", "_value": [0.0001, 0.1]},
 "batch": {"_type": "choice", "_value": [32, 64, 128]},
 "layers": {"_type": "randint", "_value": [1, 4]},
 "drop": {"_type": "quniform", "_value": [0, 0.5, 0.1]},
 "opt": {"_type": "choice", "_value": [{"_name": "sgd", "momentum": {"_type": "uniform", "_value": [0.5, 0.99]}}, {"_name": "adam"}]},
 "w": {"_type": "normal", "_value": [1, 0.5]}}
"""

struct FixedRunner: TrialRunner {
    /// Metric: −|log10(lr) + 2|; fails when layers == 3 and gives NaN when batch == 32 and drop > 0.4.
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        let c = trial.configuration
        if c["layers"] == .int(3) { throw TunerError("crash") }
        if c["batch"] == .int(32), (c["drop"]?.number ?? 0) > 0.4 { throw TunerError("the trial reported nan") }
        return TrialResult(metric: -abs(log10(c["lr"]!.number!) + 2))
    }
}

@Suite("Tuner")
struct TunerTests {
    @Test("every NNI type samples inside its bounds; nested choices carry their own parameters")
    func bounds() throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        var random = SplitMix64(seed: 1)
        var layers = Set<Int>(), lrLogs: [Double] = []
        for _ in 0..<4000 {
            let c = space.sample(using: &random)
            #expect(space.violation(c) == nil, "\(c.json): \(space.violation(c) ?? "")")
            if case .int(let l)? = c["layers"] { layers.insert(l) }
            lrLogs.append(log10(c["lr"]!.number!))
            if case .nested(let f)? = c["opt"], f["_name"] == .string("sgd") { #expect(f["momentum"] != nil) }
        }
        #expect(layers == [1, 2, 3])  // randint's upper bound is exclusive
        // loguniform: log10(lr) uniform on [-4, -1]: mean -2.5, a quarter below -3.25.
        let mean = lrLogs.reduce(0, +) / Double(lrLogs.count)
        #expect(abs(mean + 2.5) < 0.05)
        let quarter = Double(lrLogs.filter { $0 < -3.25 }.count) / Double(lrLogs.count)
        #expect(abs(quarter - 0.25) < 0.03)
    }

    @Test("invalid spaces name the parameter", arguments: [
        (#"{"lr": {"_type": "loguniform", "_value": [0, 1]}}"#, "parameter 'lr': loguniform needs 0 < low"),
        (#"{"n": {"_type": "randint", "_value": [5, 2]}}"#, "parameter 'n': randint needs low < high"),
        (#"{"x": {"_type": "unifrom", "_value": [0, 1]}}"#, "parameter 'x': unknown _type 'unifrom'; did you mean 'uniform'?"),
        (#"{"c": {"_type": "choice", "_value": []}}"#, "parameter 'c': choice needs at least one option"),
        // Ranges the sampler cannot represent: refused, never a trap or an infinite value.
        (#"{"n": {"_type": "randint", "_value": [-9223372036854775808, 9223372036854775807]}}"#, "parameter 'n': randint bounds must lie within"),
        (#"{"n": {"_type": "randint", "_value": [0, 1e30]}}"#, "parameter 'n': randint bounds must lie within"),
        (#"{"n": {"_type": "randint", "_value": [0, 9223372036854775808]}}"#, "parameter 'n': randint bounds must lie within"),
        (#"{"x": {"_type": "uniform", "_value": [-1e308, 1e308]}}"#, "parameter 'x': uniform spans a range wider than a 64-bit float holds"),
        (#"{"x": {"_type": "lognormal", "_value": [1000, 10]}}"#, "parameter 'x': lognormal reaches values that overflow"),
        (#"{"x": {"_type": "qlognormal", "_value": [700, 10, 1]}}"#, "parameter 'x': qlognormal reaches values that overflow"),
        (#"{"x": {"_type": "normal", "_value": [1e308, 1e308]}}"#, "parameter 'x': normal spans a range wider"),
        (#"{"x": {"_type": "quniform", "_value": [0, 1e300, 1e-300]}}"#, "parameter 'x': quniform has more than 10^15 steps"),
        ("{\"x\": {\"_type\": \"uniform\",\n \"_value\": [0, 1]]}", "space.json:2:18: not valid JSON"),
        (#"{"x": {"_type": "uniform", "_value": [0, 1]}"#, "space.json:1:45: not valid JSON"),
    ])
    func invalid(_ json: String, _ message: String) {
        do {
            _ = try SearchSpace.parse(Data(json.utf8), source: "space.json")
            Issue.record("accepted \(json)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test("the same seed gives the same sequence, for every sampler", arguments: Samplers.names)
    func sameSeed(_ name: String) throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        func run(_ seed: UInt64) throws -> [String] {
            let settings = ExperimentSettings(name: "e", maxTrials: 15, maximize: true, seed: seed)
            return try Experiment(settings: settings, space: space, sampler: try Samplers.make(name), runner: FixedRunner(),
                                  store: MemoryTrialStore()).run().map(\.configuration.json)
        }
        #expect(try run(3) == run(3))
    }

    @Test("a resumed experiment proposes what an uninterrupted one would, for the model-based samplers", arguments: ["gp", "tpe"])
    func resumeIsExact(_ name: String) throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        let settings = ExperimentSettings(name: "e", maxTrials: 14, maximize: true, seed: 4)
        let whole = try Experiment(settings: settings, space: space, sampler: try Samplers.make(name), runner: FixedRunner(),
                                   store: MemoryTrialStore()).run()
        // Killed after eight trials: a new process, a new sampler, the stored trials.
        let store = MemoryTrialStore()
        for trial in whole.prefix(8) { try store.save(trial, experiment: "e") }
        let resumed = try Experiment(settings: settings, space: space, sampler: try Samplers.make(name), runner: FixedRunner(),
                                     store: store).run()
        #expect(resumed.map(\.configuration) == whole.map(\.configuration))
    }

    @Test("failing and NaN trials are recorded as failed and the experiment completes; raising max_trials runs only the new ones")
    func failuresAndResume() throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        let store = MemoryTrialStore()
        var settings = ExperimentSettings(name: "e", maxTrials: 25, maximize: true, seed: 1)
        let first = try Experiment(settings: settings, space: space, sampler: TPESampler(), runner: FixedRunner(), store: store).run()
        #expect(first.count == 25)
        #expect(first.contains { $0.status == .failed && $0.error == "crash" })
        #expect(first.contains { $0.status == .succeeded })
        settings.maxTrials = 30
        let second = try Experiment(settings: settings, space: space, sampler: TPESampler(), runner: FixedRunner(), store: store).run()
        #expect(second.count == 30)
        #expect(Array(second.prefix(25)) == first)
    }

    @Test("a trial left running by a killed experiment runs again on resume")
    func resumeRunning() throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        let store = MemoryTrialStore()
        var random = SplitMix64(seed: 9)
        let configuration = space.sample(using: &random)
        try store.save(TrialRecord(number: 1, configuration: configuration, key: "k", status: .running, startedAt: Date()), experiment: "e")
        let trials = try Experiment(settings: ExperimentSettings(name: "e", maxTrials: 3), space: space, sampler: RandomSampler(),
                                    runner: FixedRunner(), store: store).run()
        #expect(trials.count == 3)
        #expect(trials[0].configuration == configuration)
        #expect(trials[0].status.isFinal)
    }

    @Test("warm-start trials come first in the sampler's history, and a configuration among them is taken from them, not run")
    func warmStart() throws {
        let space = try SearchSpace.parse(Data(#"{"x": {"_type": "choice", "_value": [1, 2, 3]}}"#.utf8))
        let point = { (x: Int) in Configuration(values: ["x": .int(x)]) }
        let seen = Locked([Int]())
        struct Recording: Sampler {
            let seen: Locked<[Int]>
            var next: [Configuration]
            mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
                seen.withLock { $0.append(history.count) }
                // The priors come first, as finished trials, their metric as a loss (maximizing: negated).
                if history.count >= 2 { #expect(history[0].loss == -0.7 && history[0].state == .finished) }
                return next.isEmpty ? nil : next.removeFirst()
            }
        }
        struct Counting: TrialRunner {
            let ran: Locked<[Configuration]>
            func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
                ran.withLock { $0.append(trial.configuration) }
                return TrialResult(metric: 0.5)
            }
        }
        let ran = Locked([Configuration]())
        let settings = ExperimentSettings(name: "e", maxTrials: 2, warmStart: [
            PriorTrial(configuration: point(1), metric: 0.7, source: "sweep trial 1"),
            PriorTrial(configuration: point(2), metric: 0.2, source: "sweep trial 2")])
        let trials = try Experiment(settings: settings, space: space, sampler: Recording(seen: seen, next: [point(2), point(3)]),
                                    runner: Counting(ran: ran), store: MemoryTrialStore()).run()
        #expect(seen.withLock { $0 } == [2, 3])
        #expect(ran.withLock { $0 } == [point(3)], "a configuration measured before was run again")
        #expect(trials[0].reused && trials[0].metric == 0.2 && trials[0].status == .succeeded)
        #expect(!trials[1].reused && trials[1].metric == 0.5)
    }

    @Test("medianstop stops a trial worse than the median of completed running averages")
    func medianStop() {
        let rule = MedianStop(maximize: true)
        let completed = [[0.5, 0.6, 0.7], [0.4, 0.5, 0.6], [0.6, 0.7, 0.8]]
        #expect(rule.shouldContinue([0.6, 0.65], completed: completed))
        #expect(!rule.shouldContinue([0.1, 0.2], completed: completed))
    }
}
