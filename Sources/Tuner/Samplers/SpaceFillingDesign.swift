import Foundation
import Randomness

/// Configurations spread over a search space, for a tuner's first trials: where independent random
/// draws leave gaps and clumps, a space-filling design puts one point in each slice of every range.
///
/// A Latin hypercube over NNI's types: each numeric parameter's range (for normal types, its prior's
/// probability) is cut into `count` equal slices and each slice gets one point, at a random place
/// within it, so that every value stays possible; each choice takes its options in turn, as evenly as
/// `count` allows. Nested choices get a design of their own over the points that chose them.
///
/// Chosen with `benchmarks/tuner/startup_designs.py` (the tuner benchmark's objectives, 400 seeds):
/// the best of 5 or 10 such points is better than, or within noise of, the best of as many
/// independent draws on every objective. Designs that spread their points apart (maximin) push them
/// to the edges of the ranges and lose where the optimum lies inside; points at the slices' centres
/// can never reach the values between them and lose where the optimum lies there.
public enum SpaceFillingDesign {
    /// `count` configurations of `space`, the same for the same `random` state.
    public static func points(_ space: SearchSpace, count: Int, random: inout SplitMix64) -> [Configuration] {
        guard count > 0 else { return [] }
        let design = latinHypercube(dimensions: space.parameters.count, count: count, random: &random)
        var values = Array(repeating: [String: ParameterValue](), count: count)
        for (d, p) in space.parameters.enumerated() {
            switch p.distribution {
            case .choice(let options):
                let chosen = (0..<count).map { optionIndex(design[$0][d], of: options.count, points: count) }
                for (i, k) in chosen.enumerated() { values[i][p.name] = options[k].value }
                // Each nested option: a design of its own over the points that took it.
                for (k, option) in options.enumerated() {
                    guard let nested = option.nested else { continue }
                    let takers = chosen.indices.filter { chosen[$0] == k }
                    let inner = points(nested, count: takers.count, random: &random)
                    for (i, configuration) in zip(takers, inner) {
                        var fields = configuration.values
                        fields["_name"] = option.value
                        values[i][p.name] = .nested(fields)
                    }
                }
            default:
                let domain = NumericDomain(p.distribution)!
                for i in 0..<count { values[i][p.name] = domain.value(fromInternal: internalPoint(design[i][d], in: domain)) }
            }
        }
        return values.map { Configuration(values: $0) }
    }

    /// `count` points of the unit cube, one in each of `count` slices of every axis.
    static func latinHypercube(dimensions: Int, count: Int, random: inout SplitMix64) -> [[Double]] {
        var design = Array(repeating: Array(repeating: 0.0, count: dimensions), count: count)
        for d in 0..<dimensions {
            // Fisher–Yates with the generator's own bits: the same design on every platform and toolchain.
            var slices = Array(0..<count)
            for i in stride(from: count - 1, to: 0, by: -1) { slices.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            for i in 0..<count { design[i][d] = (Double(slices[i]) + Double(random.next() >> 11) * 0x1p-53) / Double(count) }
        }
        return design
    }

    /// The option a point's coordinate takes: by the middle of its slice, so that `points` slices share
    /// the options as evenly as they can (no slice straddles two options by its jitter).
    static func optionIndex(_ u: Double, of options: Int, points: Int) -> Int {
        let slice = Swift.min(Int(u * Double(points)), points - 1)
        return Swift.min(Int((Double(slice) + 0.5) / Double(points) * Double(options)), options - 1)
    }

    /// The internal point at probability `u` of a domain's prior: uniform over its interval, or the
    /// normal quantile for normal types (within the interval).
    static func internalPoint(_ u: Double, in domain: NumericDomain) -> Double {
        guard let prior = domain.prior else { return domain.low + (domain.high - domain.low) * u }
        let x = prior.mu + prior.sigma * normalQuantile(Swift.min(Swift.max(u, 1e-12), 1 - 1e-12))
        return Swift.min(Swift.max(x, domain.low), domain.high)
    }

    /// The standard normal's quantile function (Acklam's rational approximation, relative error
    /// below 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
                 -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
                 -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
                 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * Foundation.log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}

/// A model-based sampler's start-up trials: the points of a ``SpaceFillingDesign`` made once per
/// space from the experiment's seed, proposed in order; past its end (start-up trials that failed),
/// independent draws. A function of the seed and the number of trials so far, so a resumed
/// experiment proposes what an uninterrupted one would.
struct StartupDesign: Sendable {
    private var seed: UInt64 = 0
    /// The experiment's budget, once planned.
    private(set) var budget: Int?
    private var made: (space: SearchSpace, points: [Configuration])?

    mutating func plan(seed: UInt64, budget: Int) {
        self.seed = seed
        self.budget = budget
        made = nil
    }

    /// The next start-up configuration while fewer than `count` trials of `history` have finished
    /// with a result; nil after. Independent draws instead of the design when `spaceFilling` is off.
    mutating func next(_ space: SearchSpace, history: [Observation], count: Int, spaceFilling: Bool = true,
                       random: inout SplitMix64) -> Configuration? {
        let finished = history.filter { $0.state == .finished && ($0.loss?.isFinite ?? false) }.count
        guard finished < Swift.max(count, 1) else { return nil }
        guard spaceFilling else { return space.sample(using: &random) }
        return configuration(space, count: Swift.max(count, 1), proposed: history.count, random: &random)
    }

    /// The configuration for the trial after `proposed` others, in a design of `count` points.
    mutating func configuration(_ space: SearchSpace, count: Int, proposed: Int, random: inout SplitMix64) -> Configuration {
        if made?.space != space || made?.points.count != count { made = (space, Self.points(space, count: count, seed: seed)) }
        return proposed < made!.points.count ? made!.points[proposed] : space.sample(using: &random)
    }

    /// The `count` start-up configurations an experiment seeded with `seed` proposes over `space`, in order.
    static func points(_ space: SearchSpace, count: Int, seed: UInt64) -> [Configuration] {
        var planned = SplitMix64(seed: seed).derived(0x5354_4152_5455_50)  // "STARTUP"
        return SpaceFillingDesign.points(space, count: count, random: &planned)
    }
}
