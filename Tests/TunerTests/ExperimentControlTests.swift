import Foundation
import SystemIO
import Testing
import Tuner

/// A runner whose trials wait for the test: each runs until released (then succeeds with its number as
/// metric, or fails when its number is in `failing`) or killed.
final class GatedRunner: TrialRunner, @unchecked Sendable {
    private let state = Locked((released: Set<Int>(), failing: Set<Int>(), started: [Int](), runs: [Int: Int]()))
    let killable: Bool

    init(failing: Set<Int> = [], killable: Bool = true) {
        self.killable = killable
        state.withLock { $0.failing = failing }
    }

    var stopsKilledTrials: Bool { killable }

    func release(_ number: Int) { state.withLock { _ = $0.released.insert(number) } }
    func heal(_ number: Int) { state.withLock { _ = $0.failing.remove(number) } }
    var started: [Int] { state.withLock { $0.started } }
    func runs(of number: Int) -> Int { state.withLock { $0.runs[number] ?? 0 } }

    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        try run(trial, of: experiment, report: report, placed: { _ in }, isKilled: { false })
    }

    func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
             placed: @escaping @Sendable (TrialPlacement) -> Void, isKilled: @escaping @Sendable () -> Bool) throws -> TrialResult {
        state.withLock { $0.started.append(trial.number); $0.runs[trial.number, default: 0] += 1 }
        while true {
            if killable && isKilled() { throw TrialCancelled() }
            let (released, failing) = state.withLock { ($0.released.contains(trial.number), $0.failing.contains(trial.number)) }
            if released {
                if failing { throw TunerError("trial \(trial.number) fails") }
                return TrialResult(metric: Double(trial.number))
            }
            Thread.sleep(forTimeInterval: 0.005)
        }
    }
}

/// Waits up to 30 s for `condition`.
func eventually(_ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(30)
    while Date() < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}

@Suite("Experiment control requests")
struct ExperimentControlTests {
    let space = try! SearchSpace.parse(Data(#"{"x": {"_type": "uniform", "_value": [0, 1]}}"#.utf8))

    /// Runs an experiment on a thread of its own; returns a function that waits for its trials.
    func start(_ runner: GatedRunner, maxTrials: Int, concurrency: Int, controls: MemoryControlQueue,
               store: MemoryTrialStore = MemoryTrialStore()) -> () -> [TrialRecord] {
        let settings = ExperimentSettings(name: "e", maxTrials: maxTrials, concurrency: concurrency, seed: 3)
        let experiment = Experiment(settings: settings, space: space, sampler: RandomSampler(), runner: runner, store: store)
        experiment.controls = controls
        let result = Locked<[TrialRecord]?>(nil)
        Thread.detachNewThread { result.withLock { $0 = (try? experiment.run()) ?? [] } }
        return {
            _ = eventually { result.withLock { $0 != nil } }
            return result.withLock { $0 } ?? []
        }
    }

    @Test("a killed trial ends USER_CANCELED at once, the others run on, and a resume does not run it again")
    func kill() throws {
        let runner = GatedRunner(), controls = MemoryControlQueue(), store = MemoryTrialStore()
        let finish = start(runner, maxTrials: 3, concurrency: 2, controls: controls, store: store)
        #expect(eventually { runner.started.count == 2 })
        let id = controls.ask(.kill(trials: [1]), experiment: "e")
        #expect(eventually { controls.answer(to: id) != nil })
        #expect(controls.answer(to: id) == .applied("killing trial 1"))
        // The freed place goes to trial 3; trial 2 was never touched.
        #expect(eventually { runner.started.count == 3 })
        runner.release(2)
        runner.release(3)
        let trials = finish()
        #expect(trials.map(\.status) == [.userCancelled, .succeeded, .succeeded])
        #expect(trials[0].killed == true && trials[0].error == "killed at the user's request")

        let resumed = start(GatedRunner(), maxTrials: 3, concurrency: 2, controls: MemoryControlQueue(), store: store)()
        #expect(resumed.map(\.status) == [.userCancelled, .succeeded, .succeeded])
    }

    @Test("max_trials raised while the experiment runs runs the difference; below the trials proposed is refused")
    func maxTrials() throws {
        let runner = GatedRunner(), controls = MemoryControlQueue()
        let finish = start(runner, maxTrials: 2, concurrency: 1, controls: controls)
        #expect(eventually { runner.started == [1] })
        let low = controls.ask(.setMaxTrials(0), experiment: "e")
        #expect(eventually { controls.answer(to: low) != nil })
        #expect(controls.answer(to: low) == .refused("1 trials were already proposed: max_trials cannot go below that"))
        let raise = controls.ask(.setMaxTrials(4), experiment: "e")
        #expect(eventually { controls.answer(to: raise) != nil })
        #expect(controls.answer(to: raise) == .applied("max_trials 2 → 4"))
        for number in 1...4 {
            #expect(eventually { runner.started.contains(number) })
            runner.release(number)
        }
        #expect(finish().map(\.number) == [1, 2, 3, 4])
    }

    @Test("rerunning a failed trial runs it again under its number while the experiment runs")
    func rerun() throws {
        let runner = GatedRunner(failing: [1]), controls = MemoryControlQueue()
        let finish = start(runner, maxTrials: 2, concurrency: 1, controls: controls)
        runner.release(1)
        #expect(eventually { runner.started == [1, 2] })
        runner.heal(1)
        let refused = controls.ask(.rerun(trials: [2]), experiment: "e")
        let id = controls.ask(.rerun(trials: [1]), experiment: "e")
        #expect(eventually { controls.answer(to: id) != nil })
        #expect(controls.answer(to: refused) == .refused("trial 2: it is RUNNING: only failed and killed trials run again"))
        #expect(controls.answer(to: id) == .applied("rerunning trial 1"))
        runner.release(2)
        let trials = finish()
        #expect(trials.map(\.status) == [.succeeded, .succeeded])
        #expect(trials[0].error == nil && runner.runs(of: 1) == 2)
    }

    @Test("a trial of the user's own runs on top of max_trials; parameters outside the space are refused with the reason")
    func add() throws {
        let runner = GatedRunner(), controls = MemoryControlQueue()
        let finish = start(runner, maxTrials: 1, concurrency: 1, controls: controls)
        #expect(eventually { runner.started == [1] })
        let outside = controls.ask(.add(Configuration(values: ["x": .double(3)])), experiment: "e")
        let unknown = controls.ask(.add(Configuration(values: ["x": .double(0.5), "y": .int(1)])), experiment: "e")
        let mine = controls.ask(.add(Configuration(values: ["x": .double(0.25)])), experiment: "e")
        #expect(eventually { controls.answer(to: mine) != nil })
        #expect(controls.answer(to: outside)?.message.hasPrefix("not a point of the search space: 'x' = 3") == true)
        #expect(controls.answer(to: unknown) == .refused("not a point of the search space: unknown parameters: y"))
        #expect(controls.answer(to: mine) == .applied("added trial 2 (max_trials 1 → 2)"))
        runner.release(1)
        runner.release(2)
        let trials = finish()
        #expect(trials.count == 2 && trials[1].configuration == Configuration(values: ["x": .double(0.25)]) && trials[1].status == .succeeded)
    }

    @Test("requests made before the run started, for trials that do not exist, or to kill on a runner that cannot, are refused")
    func refusals() throws {
        let controls = MemoryControlQueue()
        let early = controls.ask(.setMaxTrials(10), experiment: "e")
        let runner = GatedRunner(killable: false)
        let finish = start(runner, maxTrials: 1, concurrency: 1, controls: controls)
        #expect(eventually { runner.started == [1] })
        #expect(controls.answer(to: early) == .refused("no labmake run was driving experiment e when it was asked"))
        let missing = controls.ask(.kill(trials: [7]), experiment: "e")
        let unkillable = controls.ask(.kill(trials: [1]), experiment: "e")
        #expect(eventually { controls.answer(to: unkillable) != nil })
        #expect(controls.answer(to: missing) == .refused("there is no trial 7"))
        #expect(controls.answer(to: unkillable)?.message.contains("cannot be stopped one at a time") == true)
        runner.release(1)
        #expect(finish().map(\.status) == [.succeeded])
    }
}
