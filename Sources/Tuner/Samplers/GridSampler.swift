import Randomness

/// Grid search: every combination of the choices and integers, and of points of continuous ranges
/// at ever finer resolutions (midpoint, then quarters, eighths…), coarse combinations first, so that
/// any budget gets an even cover. Nested choices are expanded per option.
public struct GridSampler: Sampler {
    public init() {}

    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        let tried = Set(history.map(\.configuration))
        for level in 0..<12 {
            for configuration in Self.grid(space, level: level) where !tried.contains(configuration) { return configuration }
        }
        return nil
    }

    /// All combinations at `level` (continuous ranges split into 2^level cells, their centres).
    static func grid(_ space: SearchSpace, level: Int) -> [Configuration] {
        var combinations: [[String: ParameterValue]] = [[:]]
        for p in space.parameters {
            let values = points(p.distribution, level: level)
            combinations = combinations.flatMap { partial in values.map { v in var c = partial; c[p.name] = v; return c } }
            if combinations.count > 100_000 { break }
        }
        return combinations.map(Configuration.init)
    }

    static func points(_ d: Distribution, level: Int) -> [ParameterValue] {
        switch d {
        case .choice(let options):
            return options.flatMap { option -> [ParameterValue] in
                guard let nested = option.nested, !nested.parameters.isEmpty else {
                    return [option.nested == nil ? option.value : .nested(["_name": option.value])]
                }
                return grid(nested, level: level).map { c in var f = c.values; f["_name"] = option.value; return .nested(f) }
            }
        case .randint(let a, let b) where b - a <= 64:
            return (a..<b).map { .int($0) }
        default:
            let domain = NumericDomain(d)!
            let cells = 1 << level
            let (low, high) = domain.prior.map { ($0.mu - 2 * $0.sigma, $0.mu + 2 * $0.sigma) } ?? (domain.low, domain.high)
            var seen = Set<ParameterValue>()
            return (0..<cells).compactMap { i in
                let v = domain.value(fromInternal: low + (high - low) * (Double(i) + 0.5) / Double(cells))
                return seen.insert(v).inserted ? v : nil
            }
        }
    }
}
