import Foundation
import Testing
import SystemIO
import Tuner

/// A store that fails every save after the first `allowed`.
final class FailingStore: TrialStore, @unchecked Sendable {
    private let inner = MemoryTrialStore()
    private let lock = NSLock()
    private var saves = 0
    let allowed: Int

    init(allowed: Int) { self.allowed = allowed }

    func trials(experiment: String) throws -> [TrialRecord] { try inner.trials(experiment: experiment) }
    func finishedTrial(key: String) throws -> TrialRecord? { try inner.finishedTrial(key: key) }
    func save(_ trial: TrialRecord, experiment: String) throws {
        lock.lock()
        saves += 1
        let fail = saves > allowed
        lock.unlock()
        if fail { throw TunerError("disk full") }
        try inner.save(trial, experiment: experiment)
    }
}

@Suite("Experiments keep what they compute")
struct ExperimentStorageTests {
    @Test("a trial whose state cannot be stored stops the experiment with the store's error, at every moment of a trial",
          arguments: [1, 2, 3, 5, 8])
    func storeFailureIsAnError(allowed: Int) throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        let settings = ExperimentSettings(name: "e", maxTrials: 10, maximize: true, seed: 1)
        let experiment = Experiment(settings: settings, space: space, sampler: RandomSampler(), runner: FixedRunner(),
                                    store: FailingStore(allowed: allowed))
        #expect(throws: TunerError.self) { try experiment.run() }
        do {
            _ = try experiment.run()
        } catch {
            #expect("\(error)".contains("disk full"))
        }
    }

    @Test("trial keys are SHA-256 of the identity and the parameters")
    func keys() throws {
        let space = try SearchSpace.parse(Data(spaceJSON.utf8))
        let trials = try Experiment(settings: ExperimentSettings(name: "e", maxTrials: 3, seed: 2, trialIdentity: "command:x"),
                                    space: space, sampler: RandomSampler(), runner: FixedRunner(), store: MemoryTrialStore()).run()
        for trial in trials {
            #expect(trial.key.count == 64)
            #expect(trial.key == TrialKey.of(trial.configuration, identity: "command:x"))
            #expect(trial.key != TrialKey.of(trial.configuration, identity: "command:y"))
        }
    }
}

/// A clock that never moves.
struct StoppedClock: Clock {
    func now() -> Double { 1_000 }
}

/// Reports `count` intermediate results, then 1.
struct FloodingRunner: TrialRunner {
    let count: Int
    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        for i in 0..<count { _ = report(Double(i % 7)) }
        return TrialResult(metric: 1)
    }
}

/// Counts saves.
final class CountingStore: TrialStore, @unchecked Sendable {
    let inner = MemoryTrialStore()
    let saves = Locked(0)
    func trials(experiment: String) throws -> [TrialRecord] { try inner.trials(experiment: experiment) }
    func finishedTrial(key: String) throws -> TrialRecord? { try inner.finishedTrial(key: key) }
    func save(_ trial: TrialRecord, experiment: String) throws {
        saves.withLock { $0 += 1 }
        try inner.save(trial, experiment: experiment)
    }
}

@Suite("Trials that report floods of results")
struct IntermediateFloodTests {
    @Test("a trial keeps at most maximumIntermediates results, counts the rest, and is not stored once per result")
    func flood() throws {
        let space = try SearchSpace.parse(Data(#"{"x": {"_type": "uniform", "_value": [0, 1]}}"#.utf8))
        let store = CountingStore()
        let count = Experiment.maximumIntermediates + 25_000
        let trials = try Experiment(settings: ExperimentSettings(name: "e", maxTrials: 1), space: space, sampler: RandomSampler(),
                                    runner: FloodingRunner(count: count), store: store, clock: StoppedClock()).run()
        #expect(trials[0].status == .succeeded)
        #expect(trials[0].intermediates.count == Experiment.maximumIntermediates)
        #expect(trials[0].droppedIntermediates == 25_000)
        #expect(store.saves.withLock { $0 } < 10, "saved \(store.saves.withLock { $0 }) times")
        #expect(try store.trials(experiment: "e")[0].droppedIntermediates == 25_000)
    }
}
