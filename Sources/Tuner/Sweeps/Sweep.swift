/// The lab's manual sweep: configurations derived from a baseline by hand-picked values.
///
/// `one-at-a-time` tries the baseline, then each listed value of each parameter with every other
/// parameter at its baseline value; ``combineBest(_:maximize:)`` then puts the best value of each
/// parameter together, and adds the user's own combinations. `grid` tries every combination at once.
public struct Sweep: Sendable, Equatable {
    public enum Strategy: String, Sendable, CaseIterable {
        case oneAtATime = "one-at-a-time"
        case grid
    }

    public var strategy: Strategy
    public var baseline: Configuration
    /// The values to try for each parameter, in the order the pipeline lists them.
    public var vary: [(name: String, values: [ParameterValue])]
    /// Extra configurations to try after combining the best values: changes to the baseline.
    public var combinations: [Configuration]

    public init(strategy: Strategy, baseline: Configuration, vary: [(name: String, values: [ParameterValue])],
                combinations: [Configuration] = []) {
        self.strategy = strategy
        self.baseline = baseline
        self.vary = vary
        self.combinations = combinations
    }

    public static func == (a: Sweep, b: Sweep) -> Bool {
        a.strategy == b.strategy && a.baseline == b.baseline && a.combinations == b.combinations
            && a.vary.map(\.name) == b.vary.map(\.name) && a.vary.map(\.values) == b.vary.map(\.values)
    }

    /// The first round: the baseline and one-factor variations, or the whole grid. A configuration
    /// that two points share (a listed value equal to the baseline's) appears once, under its first label.
    public var firstRound: [SweepPoint] {
        switch strategy {
        case .oneAtATime:
            var points = [SweepPoint(configuration: baseline, label: "baseline", parameter: nil)]
            for (name, values) in vary {
                for value in values {
                    var configuration = baseline
                    configuration.values[name] = value
                    points.append(SweepPoint(configuration: configuration, label: "\(name)=\(value)", parameter: name))
                }
            }
            return Self.unique(points)
        case .grid:
            let grid = vary.reduce([baseline]) { partial, axis in
                partial.flatMap { c in axis.values.map { v in var next = c; next.values[axis.name] = v; return next } }
            }
            return Self.unique(grid.map { c in
                SweepPoint(configuration: c, label: vary.map { "\($0.name)=\(c[$0.name]!)" }.joined(separator: ", "), parameter: nil)
            })
        }
    }

    /// The second round of `one-at-a-time`, from the first round's metrics: every parameter at its best
    /// value (the baseline's where none of its values beat it), then the user's combinations. Points
    /// already tried are left out. A `grid` sweep has no second round.
    public func combineBest(_ metrics: [Configuration: Double], maximize: Bool) -> [SweepPoint] {
        guard strategy == .oneAtATime else { return [] }
        let best = bestValues(metrics, maximize: maximize)
        var combined = baseline
        for entry in best { combined.values[entry.name] = entry.value }
        var points = [SweepPoint(configuration: combined, label: "combined best", parameter: nil)]
        for (k, changes) in combinations.enumerated() {
            var configuration = baseline
            for (name, value) in changes.values { configuration.values[name] = value }
            points.append(SweepPoint(configuration: configuration, label: "combination \(k + 1)", parameter: nil))
        }
        let tried = Set(firstRound.map(\.configuration))
        return Self.unique(points).filter { !tried.contains($0.configuration) }
    }

    /// The best value of each varied parameter with its metric, the baseline counting as one of its
    /// values; parameters without any finished point are left out.
    public func bestValues(_ metrics: [Configuration: Double], maximize: Bool) -> [(name: String, value: ParameterValue, metric: Double)] {
        vary.compactMap { name, values in
            var candidates: [(ParameterValue, Double)] = []
            if let m = metrics[baseline], let v = baseline[name] { candidates.append((v, m)) }
            for value in values {
                var configuration = baseline
                configuration.values[name] = value
                if let m = metrics[configuration] { candidates.append((value, m)) }
            }
            // Ties go to the earlier candidate, so the baseline wins a tie.
            guard let best = candidates.reduce(nil, { (best: (ParameterValue, Double)?, c) in
                guard let b = best else { return c }
                return (maximize ? c.1 > b.1 : c.1 < b.1) ? c : b
            }) else { return nil }
            return (name, best.0, best.1)
        }
    }

    private static func unique(_ points: [SweepPoint]) -> [SweepPoint] {
        var seen = Set<Configuration>()
        return points.filter { seen.insert($0.configuration).inserted }
    }
}

/// One configuration of a sweep, with what it varies.
public struct SweepPoint: Sendable, Equatable {
    public var configuration: Configuration
    /// `baseline`, `initial_lr=0.01`, `combined best`, `combination 1`, or a grid cell's values.
    public var label: String
    /// The parameter a one-at-a-time point varies.
    public var parameter: String?
}
