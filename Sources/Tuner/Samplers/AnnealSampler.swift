import Foundation
import Randomness

/// Simulated annealing as hyperopt's `anneal` (which NNI's Anneal tuner wraps): start from one of the
/// best trials so far (an index drawn with mean `averageBestIndex` into the sorted losses), and move
/// each parameter within a window that shrinks as trials accumulate; choices keep their value with a
/// probability that grows the same way.
public struct AnnealSampler: Sampler {
    public var startupTrials = 10
    public var averageBestIndex = 2.0
    public var shrink = 0.1

    public init() {}

    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        let finished = history.filter { $0.state == .finished && ($0.loss?.isFinite ?? false) }.sorted { $0.loss! < $1.loss! }
        guard finished.count >= startupTrials else { return space.sample(using: &random) }
        // An exponentially distributed rank: mostly the best, sometimes the next ones.
        let u = Swift.max(Double(random.next() >> 11) * 0x1p-53, 1e-12)
        let rank = Swift.min(Int(-log(u) * averageBestIndex), finished.count - 1)
        let temperature = 1 / (1 + Double(history.count) * shrink)
        return Configuration(values: move(space, around: finished[rank].configuration.values, temperature: temperature, random: &random))
    }

    func move(_ space: SearchSpace, around start: [String: ParameterValue], temperature: Double, random: inout SplitMix64) -> [String: ParameterValue] {
        var result: [String: ParameterValue] = [:]
        for p in space.parameters {
            let current = start[p.name]
            if case .choice(let options) = p.distribution {
                let keep = Double(random.next() >> 11) * 0x1p-53 > temperature
                let name: ParameterValue? = { if case .nested(let f)? = current { return f["_name"] }; return current }()
                var option = options[Int(random.next() % UInt64(options.count))]
                if keep, let kept = options.first(where: { $0.value == name }) { option = kept }
                if let nested = option.nested {
                    var inner: [String: ParameterValue] = [:]
                    if case .nested(var f)? = current, f["_name"] == option.value { f["_name"] = nil; inner = f }
                    var fields = inner.isEmpty ? option.materialize(using: &random).nestedFields
                        : move(nested, around: inner, temperature: temperature, random: &random)
                    fields["_name"] = option.value
                    result[p.name] = .nested(fields)
                } else {
                    result[p.name] = option.value
                }
                continue
            }
            let domain = NumericDomain(p.distribution)!
            guard let x = current.flatMap(domain.internalPoint) else { result[p.name] = p.distribution.sample(using: &random); continue }
            let width = (domain.prior.map { 4 * $0.sigma } ?? (domain.high - domain.low)) * temperature
            let low = Swift.max(domain.low, x - width / 2), high = Swift.min(domain.high, x + width / 2)
            result[p.name] = domain.value(fromInternal: low + (high - low) * (Double(random.next() >> 11) * 0x1p-53))
        }
        return result
    }
}

/// Evolution as NNI's tuner: a random population first; then each trial mutates one parameter of the
/// better of two random members, and the population keeps its best `population` members.
public struct EvolutionSampler: Sampler {
    public var population = 32
    public init() {}

    public mutating func suggest(_ space: SearchSpace, history: [Observation], random: inout SplitMix64) -> Configuration? {
        let finished = history.filter { $0.state == .finished && ($0.loss?.isFinite ?? false) }
        guard finished.count >= Swift.min(population, 10) else { return space.sample(using: &random) }
        let members = Array(finished.sorted { $0.loss! < $1.loss! }.prefix(population))
        let a = members[Int(random.next() % UInt64(members.count))], b = members[Int(random.next() % UInt64(members.count))]
        var child = (a.loss! <= b.loss! ? a : b).configuration.values
        let p = space.parameters[Int(random.next() % UInt64(space.parameters.count))]
        child[p.name] = p.distribution.sample(using: &random)
        return Configuration(values: child)
    }
}

extension ParameterValue {
    /// A nested option's fields (empty for plain values).
    var nestedFields: [String: ParameterValue] {
        if case .nested(let f) = self { return f }
        return [:]
    }
}
