import Foundation

/// How strongly each parameter goes with the metric over finished trials, from 0 (not at all) to 1: for
/// a number, the absolute Spearman rank correlation with the metric (its sign says which way); for a
/// choice, the correlation ratio η of the metric's ranks across the options. Both read ranks, so one
/// outlying result does not decide; neither sees interactions between parameters.
public struct ParameterImportance: Sendable, Equatable {
    public var parameter: String
    /// 0…1.
    public var strength: Double
    /// For a number: +1 when larger values go with larger metrics, −1 when with smaller; 0 for a choice.
    public var direction: Int
    /// The trials that had the parameter.
    public var trials: Int
    /// Whether the parameter is a choice (η) rather than a number (Spearman).
    public var isChoice: Bool

    /// The method, as a chart names it.
    public static let method = "|Spearman ρ| with the metric for numbers, η of its ranks for choices"

    /// The importance of each parameter with at least three trials and two distinct values, strongest first.
    /// `values` gives each trial's parameters as text, by trial number; `metrics` each finished trial's metric.
    public static func of(metrics: [Int: Double], values: [Int: [String: String]], parameters: [String]) -> [ParameterImportance] {
        var result: [ParameterImportance] = []
        for parameter in parameters {
            let pairs = metrics.keys.sorted().compactMap { n -> (String, Double)? in
                guard let m = metrics[n], m.isFinite, let v = values[n]?[parameter] else { return nil }
                return (v, m)
            }
            guard pairs.count >= 3, Set(pairs.map(\.0)).count >= 2 else { continue }
            let metricRanks = ranks(pairs.map(\.1))
            let numbers = pairs.compactMap { Double($0.0) }
            if numbers.count == pairs.count {
                let rho = correlation(ranks(numbers), metricRanks)
                result.append(ParameterImportance(parameter: parameter, strength: abs(rho), direction: rho > 0 ? 1 : (rho < 0 ? -1 : 0),
                                                  trials: pairs.count, isChoice: false))
            } else {
                result.append(ParameterImportance(parameter: parameter, strength: eta(groups: pairs.map(\.0), values: metricRanks),
                                                  direction: 0, trials: pairs.count, isChoice: true))
            }
        }
        return result.sorted { $0.strength != $1.strength ? $0.strength > $1.strength : $0.parameter < $1.parameter }
    }

    /// Ranks from 1, ties sharing their mean rank.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        return ranks
    }

    /// Pearson's correlation; 0 when either side does not vary.
    static func correlation(_ a: [Double], _ b: [Double]) -> Double {
        let n = Double(a.count)
        let ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
        var cov = 0.0, va = 0.0, vb = 0.0
        for (x, y) in zip(a, b) {
            cov += (x - ma) * (y - mb)
            va += (x - ma) * (x - ma)
            vb += (y - mb) * (y - mb)
        }
        return va > 0 && vb > 0 ? cov / (va * vb).squareRoot() : 0
    }

    /// The correlation ratio: the share of the values' spread that lies between the groups, square-rooted.
    static func eta(groups: [String], values: [Double]) -> Double {
        let mean = values.reduce(0, +) / Double(values.count)
        let total = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        guard total > 0 else { return 0 }
        var sums: [String: (sum: Double, count: Double)] = [:]
        for (g, v) in zip(groups, values) { sums[g, default: (0, 0)].sum += v; sums[g]!.count += 1 }
        let between = sums.values.reduce(0) { $0 + $1.count * ($1.sum / $1.count - mean) * ($1.sum / $1.count - mean) }
        return Swift.min((between / total).squareRoot(), 1)
    }
}
