import Pipeline
import SystemIO
import Tuner

/// The trials an experiment starts from: the succeeded trials of sweep and tune stages
/// (`warm_start: [manual-sweep]`, read from their `trials.json`) or of earlier experiments in the
/// workspace (`labmake tune --warm-start NAME`, NNI experiments imported with `labmake trials import`
/// included), as points of the experiment's search space.
///
/// A trial's full configuration is its baseline (a sweep's `best.json` names it; otherwise the
/// experiment's own) with its parameters on top; its values for the space's parameters are the
/// point. Only trials that ran as the experiment's own would are taken: one that set a parameter
/// outside the space to another value than the experiment's baseline (a sweep's `epochs: 2`)
/// measured something else, and one whose point lies outside the space cannot be proposed; both are
/// left out and counted. Equal points are taken once, the first.
public struct WarmStart {
    public private(set) var priors: [PriorTrial] = []
    /// One line per source: how many of its trials were taken, and why the others were not.
    public private(set) var summary: [String] = []
    private var seen = Set<Configuration>()

    public init() {}

    /// What the warm-start trials add to an experiment's name (the configurations taken), or nil when
    /// there are none: an experiment started from other trials is another experiment.
    public var identity: String? {
        priors.isEmpty ? nil : "warm:" + priors.map(\.configuration.json).joined(separator: ";")
    }

    /// Takes the trials of `source` (a stage folder, an experiment's name) for an experiment over
    /// `space` whose trials run on `baseline`; `base` is the baseline the source's trials ran on.
    public mutating func take(_ trials: [TrialRecord], from source: String, space: SearchSpace,
                              baseline: Configuration = Configuration(values: [:]), base: Configuration? = nil) {
        let base = base ?? baseline
        var taken = 0, outside = 0, repeated = 0, otherSettings: [String: Int] = [:]
        let succeeded = trials.filter { $0.status == .succeeded && ($0.metric?.isFinite ?? false) }
        for trial in succeeded {
            let full = base.merging(trial.configuration)
            if let differing = full.values.keys.sorted().first(where: { key in
                space.parameters.allSatisfy { $0.name != key } && !Self.same(full.values[key], baseline.values[key])
            }) {
                otherSettings[differing, default: 0] += 1
                continue
            }
            let point = Configuration(values: Dictionary(uniqueKeysWithValues: space.parameters.compactMap { p in
                full.values[p.name].map { (p.name, $0) }
            }))
            guard space.violation(point) == nil else { outside += 1; continue }
            guard seen.insert(point).inserted else { repeated += 1; continue }
            priors.append(PriorTrial(configuration: point, metric: trial.metric!, source: "\(source) trial \(trial.number)"))
            taken += 1
        }
        var reasons = otherSettings.sorted { $0.key < $1.key }.map { "\($0.value) with another \($0.key)" }
        if outside > 0 { reasons.append("\(outside) outside the search space") }
        if repeated > 0 { reasons.append("\(repeated) repeating a configuration") }
        if trials.count > succeeded.count { reasons.append("\(trials.count - succeeded.count) without a result") }
        summary.append("warm start: \(taken) of \(trials.count) trials of \(source)" + (reasons.isEmpty ? "" : " (left out: \(reasons.joined(separator: ", ")))"))
    }

    /// Reads `folders` (workspace-relative sweep or tune stage outputs) for a stage over `space` in `direction`.
    init(folders: [String], space: SearchSpace, baseline: Configuration, maximize: Bool, root: String, fileSystem: any FileSystem) throws {
        for folder in folders {
            let best = try BestTrial.read(folder, root: root, fileSystem: fileSystem)
            guard best.direction.maximizes == maximize else {
                throw StageFailure("with.warm_start: \(folder) \(best.direction.maximizes ? "maximizes" : "minimizes") its metric and this stage "
                                   + "\(maximize ? "maximizes" : "minimizes"): their metrics do not compare")
            }
            let trials = try TrialsFile.read(folder, root: root, fileSystem: fileSystem).trials.map { entry in
                TrialRecord(number: entry.number, configuration: Configuration(values: entry.parameters), key: entry.key,
                            status: entry.status, metric: entry.metric)
            }
            take(trials, from: folder, space: space, baseline: baseline,
                 base: best.baseline.map { baseline.merging(Configuration(values: $0)) })
        }
    }

    /// Whether two settings are equal, numbers by value (`0` and `0.0` alike).
    static func same(_ a: ParameterValue?, _ b: ParameterValue?) -> Bool {
        if let x = a?.number, let y = b?.number { return x == y }
        return a == b
    }
}
