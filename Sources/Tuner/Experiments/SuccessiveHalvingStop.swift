import Foundation

/// Asynchronous successive halving over Hyperband's brackets, as Optuna's `HyperbandPruner` runs
/// it (Li et al. 2018 and 2020). Once a trial has finished, its count of results is the most a trial
/// runs (R, Optuna's `max_resource: auto`); until then no trial is stopped. Trials are dealt to
/// brackets s = 0…s_max (s_max = ⌊log_eta(R/r)⌋, r = `startStep`, at least 1) in proportion to the
/// configurations Hyperband starts in each, by their number; bracket s has rungs at r·eta^(s_max−s+k)
/// results. A trial that reaches a rung goes on only when its result there is among the best ⌊n/eta⌋
/// (at least the best one) of the n trials of its bracket that reached that rung, itself included.
///
/// A trial that goes on trains on from where it is, so a configuration that reaches the end costs its
/// epochs once (Hyperband and BOHB run a promoted configuration again from the start); the brackets
/// that judge late keep a curve that starts slow from being cut at its first results.
public struct SuccessiveHalvingStop: Sendable {
    /// Results a trial reports before the first rung of the most eager bracket (NNI's `start_step`; 0 counts as 1).
    public var startStep: Int
    public var eta: Int
    public var maximize: Bool
    /// The most results a trial reports (R); nil while no trial has finished.
    public var maxResource: Int?

    public init(startStep: Int = 1, eta: Int = 3, maximize: Bool, maxResource: Int?) {
        self.startStep = startStep
        self.eta = eta
        self.maximize = maximize
        self.maxResource = maxResource
    }

    private var base: Int { Swift.max(startStep, 1) }
    private var factor: Int { Swift.max(eta, 2) }

    /// s_max: the most eager bracket.
    public var largestBracket: Int {
        guard let maxResource, maxResource > base else { return 0 }
        var s = 0, rung = base
        while rung * factor <= maxResource { rung *= factor; s += 1 }
        return s
    }

    /// The bracket of trial `number` (1-based): trials dealt in proportion to each bracket's configurations.
    public func bracket(of number: Int) -> Int {
        let top = largestBracket
        let weights = (0...top).map { s in
            Int((Double(top + 1) * pow(Double(factor), Double(s)) / Double(s + 1)).rounded(.up))
        }
        var slot = (number - 1) % weights.reduce(0, +)
        for (s, weight) in weights.enumerated().reversed() {
            if slot < weight { return s }
            slot -= weight
        }
        return top
    }

    /// Whether `count` results could make a rung of some bracket (r·eta^k), whatever R: a cheap test
    /// before the experiment's trials are looked at.
    public func couldBeRung(_ count: Int) -> Bool {
        var rung = base
        while rung < count { rung *= factor }
        return rung == count
    }

    /// Whether `count` results make a rung of `bracket`.
    public func isRung(_ count: Int, bracket: Int) -> Bool {
        guard let maxResource, count < maxResource, couldBeRung(count) else { return false }
        var first = base
        for _ in 0..<(largestBracket - bracket) { first *= factor }
        return count >= first
    }

    /// Whether a trial with `intermediates` so far, at a rung, should go on, given the series of the
    /// other trials of its bracket.
    public func shouldContinue(_ intermediates: [Double], others: [[Double]]) -> Bool {
        let t = intermediates.count
        guard t > 0, let mine = intermediates.last else { return true }
        let competing = others.filter { $0.count >= t }.map { $0[t - 1] } + [mine]
        let ranked = competing.sorted { maximize ? $0 > $1 : $0 < $1 }
        let kept = ranked[Swift.max(competing.count / factor, 1) - 1]
        return maximize ? mine >= kept : mine <= kept
    }
}
