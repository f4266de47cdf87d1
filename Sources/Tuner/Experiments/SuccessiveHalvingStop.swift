/// Asynchronous successive halving (ASHA, Li et al. 2020), as Optuna's `SuccessiveHalvingPruner`
/// runs it: rungs at r·eta^k intermediate results (r = `startStep`, at least 1); a trial that reaches
/// a rung goes on only when its result there is among the best ⌊n/eta⌋ (at least the best one) of the
/// n trials of the experiment that reached that rung, itself included. A trial cut short keeps what it
/// spent; one that goes on trains on from where it is, so a configuration that reaches the end costs
/// its epochs once (Hyperband and BOHB run a promoted configuration again from the start).
public struct SuccessiveHalvingStop: Sendable {
    /// Results a trial reports before its first rung (NNI's `start_step`; 0 counts as 1).
    public var startStep: Int
    public var eta: Int
    public var maximize: Bool

    public init(startStep: Int = 1, eta: Int = 3, maximize: Bool) {
        self.startStep = startStep
        self.eta = eta
        self.maximize = maximize
    }

    /// Whether `count` results make a rung.
    public func isRung(_ count: Int) -> Bool {
        var rung = Swift.max(startStep, 1)
        while rung < count { rung *= Swift.max(eta, 2) }
        return rung == count
    }

    /// Whether a trial with `intermediates` so far should go on, given the other trials' series.
    public func shouldContinue(_ intermediates: [Double], others: [[Double]]) -> Bool {
        let t = intermediates.count
        guard t > 0, isRung(t), let mine = intermediates.last else { return true }
        let competing = others.filter { $0.count >= t }.map { $0[t - 1] } + [mine]
        let ranked = competing.sorted { maximize ? $0 > $1 : $0 < $1 }
        let kept = ranked[Swift.max(competing.count / Swift.max(eta, 2), 1) - 1]
        return maximize ? mine >= kept : mine <= kept
    }
}
