/// Where successive halving stands: the brackets opened so far and each rung's trials, rebuilt from
/// the experiment's history alone (so a resumed experiment continues where it was killed), and what
/// comes next: a promotion, a new configuration, or a wait.
///
/// A trial of the history is a promotion when its configuration (without the budget) is among the
/// best of a finished rung of an open bracket, not yet promoted, at that bracket's next budget;
/// otherwise it is a new configuration of the latest bracket, or of a new one when that one is full.
/// The live choice (``next()``) follows the same order, so replaying its proposals rebuilds the same ledger.
struct HyperbandLedger {
    struct Member {
        var base: Configuration
        var loss: Double?
        var state: Observation.State
        var promoted = false
    }

    struct Bracket {
        var s: Int
        var rungs: [[Member]]
    }

    /// What to propose next.
    enum Step: Equatable {
        /// A promotion of `base` to `budget`.
        case promote(Configuration, budget: Double)
        /// A new configuration at `budget`, the `index`-th of bracket `bracket` (the `ordinal`-th bracket opened, from 0).
        case new(budget: Double, bracket: Int, ordinal: Int, index: Int)
        case wait
    }

    let fidelity: MultiFidelity
    private(set) var brackets: [Bracket] = []

    init(history: [Observation], fidelity: MultiFidelity) {
        self.fidelity = fidelity
        for observation in history where !observation.isPrior {
            guard let budget = fidelity.budget(of: observation.configuration) else { continue }
            let member = Member(base: fidelity.base(of: observation.configuration), loss: observation.loss, state: observation.state)
            record(member, budget: budget)
        }
    }

    private mutating func record(_ member: Member, budget: Double) {
        for b in brackets.indices {
            guard let (rung, candidates) = promotions(brackets[b]), fidelity.budget(bracket: brackets[b].s, rung: rung + 1) == budget,
                  let c = candidates.first(where: { brackets[b].rungs[rung][$0].base == member.base })
            else { continue }
            brackets[b].rungs[rung][c].promoted = true
            if brackets[b].rungs.count == rung + 1 { brackets[b].rungs.append([]) }
            brackets[b].rungs[rung + 1].append(member)
            return
        }
        if let last = brackets.indices.last, brackets[last].rungs[0].count < fidelity.configurations(bracket: brackets[last].s) {
            brackets[last].rungs[0].append(member)
        } else {
            brackets.append(Bracket(s: fidelity.bracket(after: brackets.last?.s), rungs: [[member]]))
        }
    }

    /// The rung of `bracket` whose best are due for promotion, and the indices of those not yet
    /// promoted, best first; nil when no rung is finished with promotions left.
    private func promotions(_ bracket: Bracket) -> (rung: Int, candidates: [Int])? {
        guard bracket.rungs[0].count == fidelity.configurations(bracket: bracket.s) else { return nil }
        for i in 0..<bracket.s where i < bracket.rungs.count {
            let rung = bracket.rungs[i]
            guard rung.allSatisfy({ $0.state != .running }) else { return nil }
            let ranked = rung.indices.filter { rung[$0].loss?.isFinite ?? false }.sorted { (rung[$0].loss!, $0) < (rung[$1].loss!, $1) }
            let keep = ranked.prefix(fidelity.rungSize(bracket: bracket.s, rung: i + 1))
            let next = i + 1 < bracket.rungs.count ? bracket.rungs[i + 1].count : 0
            if next < keep.count { return (i, keep.filter { !rung[$0].promoted }) }
        }
        return nil
    }

    /// Whether nothing of `bracket` runs and nothing more will be proposed in it.
    private func isOver(_ bracket: Bracket) -> Bool {
        bracket.rungs[0].count == fidelity.configurations(bracket: bracket.s) && promotions(bracket) == nil
            && bracket.rungs.allSatisfy { $0.allSatisfy { $0.state != .running } }
    }

    /// The next step: a promotion in the oldest bracket that has one; else a new configuration for the
    /// latest bracket while it has room; else a new bracket, unless brackets run one after another
    /// (`serial`) and one is not over.
    func next() -> Step {
        for bracket in brackets {
            if let (rung, candidates) = promotions(bracket), let best = candidates.first {
                return .promote(bracket.rungs[rung][best].base, budget: fidelity.budget(bracket: bracket.s, rung: rung + 1))
            }
        }
        if let last = brackets.last, last.rungs[0].count < fidelity.configurations(bracket: last.s) {
            return .new(budget: fidelity.budget(bracket: last.s, rung: 0), bracket: last.s, ordinal: brackets.count - 1,
                        index: last.rungs[0].count)
        }
        if fidelity.serial, !brackets.allSatisfy(isOver) { return .wait }
        let s = fidelity.bracket(after: brackets.last?.s)
        return .new(budget: fidelity.budget(bracket: s, rung: 0), bracket: s, ordinal: brackets.count, index: 0)
    }
}
