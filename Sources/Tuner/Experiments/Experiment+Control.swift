import Foundation

/// Requests from outside a running experiment (``ExperimentControlQueue``): each is applied between
/// two trial events and answered, applied or refused with the reason.
extension Experiment {
    /// What a killed trial's record says.
    static let killedMessage = "killed at the user's request"
    /// The largest `maxTrials` a request may set.
    public static let maxTrialsLimit = 1_000_000

    /// Refuses the requests made before this run started: nothing was driving the experiment then,
    /// and a request is meant for the run that the user watched.
    func refuseEarlierRequests() {
        guard let controls, let pending = try? controls.pendingRequests(experiment: settings.name) else { return }
        for request in pending {
            try? controls.answer(request.id, .refused("no labmake run was driving experiment \(settings.name) when it was asked"))
        }
    }

    /// Applies and answers the pending requests. A queue that cannot be read is skipped: the trials
    /// matter more than the requests, which wait for the next look.
    func takeControlRequests() {
        guard let controls, let pending = try? controls.pendingRequests(experiment: settings.name), !pending.isEmpty else { return }
        for request in pending {
            let answer = locked { apply(request.action) }
            try? controls.answer(request.id, answer)
        }
    }

    /// Applies `action` (the lock is held).
    private func apply(_ action: ControlAction) -> ControlAnswer {
        switch action {
        case .setMaxTrials(let count):
            guard count >= trials.count else {
                return .refused("\(trials.count) trials were already proposed: max_trials cannot go below that")
            }
            guard count <= Self.maxTrialsLimit else { return .refused("max_trials \(count) is above the limit of \(Self.maxTrialsLimit)") }
            let before = maxTrials
            maxTrials = count
            sampler.plan(seed: settings.seed, maxTrials: count)
            return .applied("max_trials \(before) → \(count)")
        case .kill(let numbers):
            return answer(for: numbers, verb: "killing") { i in
                switch trials[i].status {
                case .running:
                    guard runner.stopsKilledTrials else {
                        return "its experiment's trials cannot be stopped one at a time (one trial server answers them all in turn)"
                    }
                    killRequests.insert(trials[i].number)
                    return nil
                case .waiting:
                    trials[i].status = .userCancelled
                    trials[i].killed = true
                    trials[i].error = Self.killedMessage
                    keep(trials[i])
                    return nil
                default:
                    return "it is \(trials[i].status.rawValue), not running"
                }
            }
        case .add(let configuration):
            if let problem = space.violation(configuration) { return .refused("not a point of the search space: \(problem)") }
            guard settings.budgetParameter == nil else {
                return .refused("a multi-fidelity experiment's trials are its brackets': it takes no trial of your own")
            }
            let number = (trials.map(\.number).max() ?? 0) + 1
            trials.append(TrialRecord(number: number, configuration: configuration,
                                      key: TrialKey.of(configuration, identity: settings.trialIdentity)))
            keep(trials[trials.count - 1])
            // A trial of the user's own comes on top of the tuner's: the budget grows by one.
            let before = maxTrials
            maxTrials = Swift.min(before + 1, Self.maxTrialsLimit)
            sampler.plan(seed: settings.seed, maxTrials: maxTrials)
            return .applied("added trial \(number) (max_trials \(before) → \(maxTrials))")
        case .rerun(let numbers):
            return answer(for: numbers, verb: "rerunning") { i in
                guard trials[i].canRunAgain else {
                    return "it is \(trials[i].status.rawValue): only failed and killed trials run again"
                }
                let number = trials[i].number, configuration = trials[i].configuration, key = trials[i].key
                trials[i] = TrialRecord(number: number, configuration: configuration, key: key, suggestSeconds: trials[i].suggestSeconds)
                keep(trials[i])
                return nil
            }
        }
    }

    /// Applies `change` to each trial named (it returns why it could not, or nil) and says what was done.
    private func answer(for numbers: [Int], verb: String, _ change: (Int) -> String?) -> ControlAnswer {
        guard !numbers.isEmpty else { return .refused("no trial was named") }
        var done: [Int] = [], problems: [String] = []
        for number in numbers {
            guard let i = trials.firstIndex(where: { $0.number == number }) else {
                problems.append("there is no trial \(number)")
                continue
            }
            if let problem = change(i) { problems.append("trial \(number): \(problem)") } else { done.append(number) }
        }
        guard !done.isEmpty else { return .refused(problems.joined(separator: "; ")) }
        let what = verb + (done.count == 1 ? " trial " : " trials ") + done.map(String.init).joined(separator: ", ")
        return .applied(([what] + problems).joined(separator: "; "))
    }
}
