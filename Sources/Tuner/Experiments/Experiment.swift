import Crypto
import Foundation
import Randomness
import SystemIO

/// What an experiment is: its budget, its direction and what its trials run.
public struct ExperimentSettings: Sendable {
    /// The experiment's identity in the store: the same name resumes it.
    public var name: String
    public var maxTrials: Int
    /// Seconds after which no new trial starts (nil: no limit).
    public var maxDuration: Double?
    public var concurrency: Int
    public var maximize: Bool
    public var seed: UInt64
    /// What judges running trials from their intermediate results.
    public var assessor: Assessor
    /// Intermediate results a trial reports before the assessor judges it (NNI's `start_step`).
    public var assessorStartStep: Int
    /// What trials run besides their parameters (command, data, code digests): part of every trial's key.
    public var trialIdentity: String
    /// Trials measured before the experiment (a manual sweep's, an earlier experiment's): the sampler
    /// learns from them first, and a configuration among them is taken from them, not run again.
    public var warmStart: [PriorTrial]
    /// The parameter that carries each trial's budget in a multi-fidelity experiment (``MultiFidelity``):
    /// the best trial is the best at the largest budget reached.
    public var budgetParameter: String?

    public init(name: String, maxTrials: Int, maxDuration: Double? = nil, concurrency: Int = 1, maximize: Bool = true,
                seed: UInt64 = 0, assessor: Assessor = .none, assessorStartStep: Int = 0, trialIdentity: String = "",
                warmStart: [PriorTrial] = [], budgetParameter: String? = nil) {
        self.name = name
        self.maxTrials = maxTrials
        self.maxDuration = maxDuration
        self.concurrency = concurrency
        self.maximize = maximize
        self.seed = seed
        self.assessor = assessor
        self.assessorStartStep = assessorStartStep
        self.trialIdentity = trialIdentity
        self.warmStart = warmStart
        self.budgetParameter = budgetParameter
    }
}

/// Runs trials proposed by a sampler until the budget is spent, storing every trial as it goes.
/// A killed experiment resumes: finished trials are kept, unfinished ones run again, and a raised
/// `maxTrials` runs exactly the difference. A failing trial is recorded and never stops the rest.
public final class Experiment: @unchecked Sendable {
    public let settings: ExperimentSettings
    public let space: SearchSpace
    var sampler: any Sampler
    let runner: any TrialRunner
    private let store: any TrialStore
    private let clock: any Clock
    /// Called after each trial ends, with the best trial so far and the experiment's progress.
    public var onTrialEnd: (TrialRecord, ExperimentProgress) -> Void = { _, _ in }
    /// Polled between trials: when true, no new trial starts and the running ones are waited for.
    public var isCancelled: () -> Bool = { false }
    /// Where requests from outside (kill a trial, change `maxTrials`, rerun failed trials) wait: polled
    /// every ``controlPollInterval`` while the experiment runs; nil: none are taken.
    public var controls: (any ExperimentControlQueue)?
    /// Seconds between two looks at ``controls``.
    public static let controlPollInterval = 0.25

    /// Guards the trials and the counters below: the driving thread and the trials' reports take it.
    private let lock = NSLock()
    var trials: [TrialRecord] = []
    /// The running trials that the user asked to kill.
    var killRequests: Set<Int> = []
    /// The budget: `settings.maxTrials` until a control request changes it.
    var maxTrials: Int
    var started = 0.0
    /// Trials that ran in this process, and their seconds: the basis of the time-left estimate.
    private var ranHere: [Double] = []
    /// The first failure to store a trial: no new trial starts after it, and ``run()`` throws it.
    private var storeFailure: (any Error)?
    /// When each running trial's intermediates were last stored.
    private var lastSaved: [Int: Double] = [:]

    public init(settings: ExperimentSettings, space: SearchSpace, sampler: any Sampler, runner: any TrialRunner, store: any TrialStore,
                clock: any Clock = SystemClock()) {
        self.settings = settings
        self.space = space
        self.sampler = sampler
        self.sampler.plan(seed: settings.seed, maxTrials: settings.maxTrials)
        maxTrials = settings.maxTrials
        self.runner = runner
        self.store = store
        self.clock = clock
    }

    private var now: Date { Date(timeIntervalSince1970: clock.now()) }

    /// Runs the experiment to its budget and returns every trial, in order.
    ///
    /// This thread proposes trials and records how they end; each trial runs on a ``WorkerPool`` of
    /// `concurrency` threads, whose intermediate reports take the lock on the trials.
    public func run() throws -> [TrialRecord] {
        try locked {
            trials = try store.trials(experiment: settings.name)
            for i in trials.indices where !trials[i].isOver {
                trials[i].status = .waiting
                trials[i].startedAt = nil
                trials[i].intermediates = []
                trials[i].droppedIntermediates = nil
            }
            started = clock.now()
            ranHere = []
            storeFailure = nil
            killRequests = []
        }
        refuseEarlierRequests()
        let pool = WorkerPool<TrialRecord>(width: settings.concurrency)
        var proposing = true
        while true {
            takeControlRequests()
            for (trial, progress) in try startTrials(on: pool, proposing: &proposing) { onTrialEnd(trial, progress) }
            if pool.running == 0 { break }
            for result in pool.waitForResults(timeout: controls == nil ? nil : Self.controlPollInterval) {
                let progress = locked { () -> ExperimentProgress in
                    if let i = trials.firstIndex(where: { $0.number == result.number }) { trials[i] = result }
                    keep(result)
                    killRequests.remove(result.number)
                    if result.status.isFinal, let seconds = result.seconds { ranHere.append(seconds) }
                    return self.progress
                }
                onTrialEnd(result, progress)
            }
        }
        if let storeFailure = locked({ storeFailure }) {
            throw TunerError("could not store a trial of experiment \(settings.name): \(storeFailure)")
        }
        return locked { trials }
    }

    /// Starts waiting trials and proposes new ones while the pool has room and the budget lasts;
    /// returns the proposed trials that ended at once (reused from an earlier trial with their key).
    private func startTrials(on pool: WorkerPool<TrialRecord>, proposing: inout Bool) throws -> [(TrialRecord, ExperimentProgress)] {
        try locked {
            var ended: [(TrialRecord, ExperimentProgress)] = []
            let outOfTime = settings.maxDuration.map { clock.now() - started >= $0 } ?? false
            while pool.hasRoom && !outOfTime && storeFailure == nil && !isCancelled() {
                if let index = trials.firstIndex(where: { $0.status == .waiting }) {
                    launch(index, on: pool)
                    continue
                }
                guard proposing && trials.count < maxTrials else { break }
                let trial: TrialRecord
                switch try propose() {
                case .trial(let proposed): trial = proposed
                case .wait: return ended
                case .exhausted:
                    proposing = false
                    return ended
                }
                trials.append(trial)
                try store.save(trial, experiment: settings.name)
                if trial.status == .waiting { launch(trials.count - 1, on: pool) } else { ended.append((trial, progress)) }
            }
            return ended
        }
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The best succeeded trial so far.
    public var best: TrialRecord? { locked { bestSoFar } }

    /// The best succeeded trial so far (the lock is held).
    private var bestSoFar: TrialRecord? { trials.best(maximize: settings.maximize, budgetParameter: settings.budgetParameter) }

    /// Where the experiment stands (the lock is held).
    private var progress: ExperimentProgress {
        let finished = trials.filter(\.isOver).count
        let remaining = Swift.max(maxTrials - finished, 0)
        var left: Double? = nil
        if !ranHere.isEmpty {
            let mean = ranHere.reduce(0, +) / Double(ranHere.count)
            left = mean * Double(remaining) / Double(Swift.max(settings.concurrency, 1))
        }
        let elapsed = clock.now() - started
        if let limit = settings.maxDuration { left = Swift.min(left ?? .infinity, Swift.max(limit - elapsed, 0)) }
        return ExperimentProgress(finished: finished, maxTrials: maxTrials, best: bestSoFar, elapsed: elapsed,
                                  secondsLeft: remaining == 0 ? 0 : left, budgetParameter: settings.budgetParameter)
    }

    /// What the sampler answers, its configuration made a trial.
    private enum Proposed {
        case trial(TrialRecord)
        case wait, exhausted
    }

    /// The sampler's next configuration as a trial: waiting to run, or already succeeded when a trial
    /// with its key was seen before; or that the sampler has nothing now, or nothing more.
    private func propose() throws -> Proposed {
        let number = (trials.map(\.number).max() ?? 0) + 1
        var random = SplitMix64(seed: settings.seed).derived(UInt64(number))
        let sign = settings.maximize ? -1.0 : 1.0
        let prior = settings.warmStart.map {
            Observation(configuration: $0.configuration, loss: sign * $0.metric, state: .finished, isPrior: true)
        }
        let history = prior + trials.map { t -> Observation in
            switch t.status {
            case .succeeded: return Observation(configuration: t.configuration, loss: t.metric.map { sign * $0 }, state: .finished)
            case .earlyStopped where t.metric != nil:
                return Observation(configuration: t.configuration, loss: sign * t.metric!, state: .finished)
            case .earlyStopped:
                let partial = (settings.maximize ? t.intermediates.max() : t.intermediates.min()).map { sign * $0 }
                return Observation(configuration: t.configuration, loss: partial, state: partial == nil ? .failed : .finished)
            case .running, .waiting: return Observation(configuration: t.configuration, loss: nil, state: .running)
            case .failed, .userCancelled: return Observation(configuration: t.configuration, loss: nil, state: .failed)
            }
        }
        let asked = clock.now()
        let configuration: Configuration
        switch sampler.propose(space, history: history, random: &random) {
        case .configuration(let proposed): configuration = proposed
        case .wait: return .wait
        case .exhausted: return .exhausted
        }
        let seconds = Swift.max(clock.now() - asked, 0)
        let key = TrialKey.of(configuration, identity: settings.trialIdentity)
        var trial = TrialRecord(number: number, configuration: configuration, key: key, suggestSeconds: seconds)
        // A configuration measured before (a warm-start trial's, or a trial with this key) is taken, not run.
        let measured: (metric: Double?, details: String?, intermediates: [Double])?
        if let prior = settings.warmStart.first(where: { $0.configuration == configuration }) {
            measured = (prior.metric, nil, [])
        } else if let earlier = try trials.first(where: { $0.key == key && $0.status == .succeeded }) ?? store.finishedTrial(key: key) {
            measured = (earlier.metric, earlier.metricDetails, earlier.intermediates)
        } else {
            measured = nil
        }
        if let measured {
            trial.status = .succeeded
            trial.metric = measured.metric
            trial.metricDetails = measured.details
            trial.intermediates = measured.intermediates
            trial.startedAt = now
            trial.endedAt = trial.startedAt
            trial.reused = true
        }
        return .trial(trial)
    }

    /// Starts trial `index` on the pool (the lock is held); the pool hands back how it ended.
    private func launch(_ index: Int, on pool: WorkerPool<TrialRecord>) {
        trials[index].status = .running
        trials[index].startedAt = now
        let trial = trials[index]
        keep(trial)
        pool.start { [self] in
            var result = trial
            do {
                let final = try runner.run(trial, of: settings.name, report: { [self] value in report(trial.number, value) },
                                           placed: { [self] placement in place(trial.number, placement) },
                                           isKilled: { [self] in locked { killRequests.contains(trial.number) } })
                result.metric = final.metric
                result.metricDetails = final.details
                result.status = .succeeded
            } catch let stopped as TrialStopped {
                // A final result reported before the stop took effect is kept, as NNI keeps it.
                result.metric = stopped.final?.metric
                result.metricDetails = stopped.final?.details
                result.status = .earlyStopped
            } catch is TrialCancelled {
                result.status = .userCancelled
                if locked({ killRequests.remove(trial.number) != nil }) {
                    result.killed = true
                    result.error = Self.killedMessage
                }
            } catch {
                result.status = .failed
                result.error = "\(error)"
            }
            result.endedAt = now
            let reported = locked { trials.first(where: { $0.number == trial.number }) }
            result.intermediates = reported?.intermediates ?? []
            result.droppedIntermediates = reported?.droppedIntermediates
            result.placement = reported?.placement
            return result
        }
    }

    /// The most intermediate results kept per trial; later ones are counted in
    /// ``TrialRecord/droppedIntermediates``, and the trial runs on.
    public static let maximumIntermediates = 10_000
    /// Seconds between two saves of a running trial's intermediate results.
    static let intermediateSaveInterval = 0.25

    /// Stores a trial; a failure is kept for ``run()`` to throw, and stops new trials (the lock is held).
    func keep(_ trial: TrialRecord) {
        do {
            try store.save(trial, experiment: settings.name)
        } catch {
            if storeFailure == nil { storeFailure = error }
        }
    }

    /// Records where a scheduler put a running trial, and stores it.
    private func place(_ number: Int, _ placement: TrialPlacement) {
        lock.lock()
        defer { lock.unlock() }
        guard let i = trials.firstIndex(where: { $0.number == number }), trials[i].placement != placement else { return }
        trials[i].placement = placement
        keep(trials[i])
    }

    /// Records an intermediate result; false when the assessor stops the trial.
    private func report(_ number: Int, _ value: Double) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let i = trials.firstIndex(where: { $0.number == number }) else { return true }
        guard trials[i].intermediates.count < Self.maximumIntermediates else {
            trials[i].droppedIntermediates = (trials[i].droppedIntermediates ?? 0) + 1
            return true
        }
        trials[i].intermediates.append(value)
        // Stored at most every ``intermediateSaveInterval`` (and always when the trial ends): a trial that
        // reports a million values costs a million appends, not a million database writes.
        let now = clock.now()
        if now - (lastSaved[number] ?? -.infinity) >= Self.intermediateSaveInterval {
            lastSaved[number] = now
            keep(trials[i])
        }
        switch settings.assessor {
        case .none:
            return true
        case .medianstop:
            let completed = trials.filter { $0.status == .succeeded }.map(\.intermediates)
            return MedianStop(startStep: settings.assessorStartStep, maximize: settings.maximize)
                .shouldContinue(trials[i].intermediates, completed: completed)
        case .asha:
            var rule = SuccessiveHalvingStop(startStep: settings.assessorStartStep, maximize: settings.maximize, maxResource: nil)
            // Most results are at no rung: judged without looking at the other trials.
            guard rule.couldBeRung(trials[i].intermediates.count) else { return true }
            rule.maxResource = trials.filter { $0.status == .succeeded }.map(\.intermediates.count).max()
            let bracket = rule.bracket(of: number)
            guard rule.isRung(trials[i].intermediates.count, bracket: bracket) else { return true }
            let others = trials.indices.filter { $0 != i && rule.bracket(of: trials[$0].number) == bracket }.map { trials[$0].intermediates }
            return rule.shouldContinue(trials[i].intermediates, others: others)
        }
    }
}

/// A trial's key: SHA-256 of what it runs (its identity) and its parameters, like a stage's key.
public enum TrialKey {
    public static func of(_ configuration: Configuration, identity: String) -> String {
        var hasher = SHA256()
        for part in ["labmake-trial-v2\n", identity, "\n", configuration.json] {
            hasher.update(data: Array(part.utf8))
        }
        return hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
