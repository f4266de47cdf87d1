import Foundation
import Randomness

/// A search space as points of the unit cube, for models that need numbers (the GP sampler): a
/// numeric parameter is one coordinate (its internal scale, the log for log types, mapped to
/// [0, 1]); a choice is one coordinate per option (one-hot); a nested option's parameters have
/// coordinates of their own, at 0.5 while another option is chosen.
struct SpaceEncoding {
    enum Slot {
        /// A numeric parameter at `index`.
        case number(Parameter, NumericDomain, index: Int)
        /// A choice whose options start at `index`; each option's nested parameters, encoded.
        case choice(Parameter, [ChoiceOption], index: Int, nested: [SpaceEncoding?])
    }

    private(set) var slots: [Slot] = []
    private(set) var dimensions = 0

    init(_ space: SearchSpace, startingAt start: Int = 0) {
        dimensions = start
        for p in space.parameters {
            if case .choice(let options) = p.distribution {
                let index = dimensions
                dimensions += options.count
                var nested: [SpaceEncoding?] = []
                for option in options {
                    guard let inner = option.nested, !inner.parameters.isEmpty else { nested.append(nil); continue }
                    let encoding = SpaceEncoding(inner, startingAt: dimensions)
                    dimensions = encoding.dimensions
                    nested.append(encoding)
                }
                slots.append(.choice(p, options, index: index, nested: nested))
            } else {
                let domain = NumericDomain(p.distribution)!
                slots.append(.number(p, domain, index: dimensions))
                dimensions += 1
            }
        }
    }

    /// The point of a configuration's values (inactive nested coordinates at 0.5).
    func encode(_ values: [String: ParameterValue], into point: inout [Double]) {
        for slot in slots {
            switch slot {
            case .number(let p, let domain, let index):
                let x = values[p.name].flatMap(domain.internalPoint) ?? (domain.low + domain.high) / 2
                point[index] = Swift.min(Swift.max((x - domain.low) / (domain.high - domain.low), 0), 1)
            case .choice(let p, let options, let index, let nested):
                for (k, _) in options.enumerated() { point[index + k] = 0 }
                var chosen: ParameterValue? = values[p.name]
                var fields: [String: ParameterValue] = [:]
                if case .nested(let f)? = chosen { fields = f; chosen = f["_name"] }
                if let k = options.firstIndex(where: { $0.value == chosen }) {
                    point[index + k] = 1
                    nested[k]?.encode(fields, into: &point)
                }
                for (k, inner) in nested.enumerated() where options.firstIndex(where: { $0.value == chosen }) != k {
                    inner?.fill(0.5, into: &point)
                }
            }
        }
    }

    func encode(_ configuration: Configuration) -> [Double] {
        var point = [Double](repeating: 0.5, count: dimensions)
        encode(configuration.values, into: &point)
        return point
    }

    /// Sets every coordinate of this encoding to `value`.
    func fill(_ value: Double, into point: inout [Double]) {
        for slot in slots {
            switch slot {
            case .number(_, _, let index): point[index] = value
            case .choice(_, let options, let index, let nested):
                for k in options.indices { point[index + k] = 0 }
                for inner in nested { inner?.fill(value, into: &point) }
            }
        }
    }

    /// The configuration a point stands for: each choice takes its largest coordinate.
    func decode(_ point: [Double]) -> [String: ParameterValue] {
        var values: [String: ParameterValue] = [:]
        for slot in slots {
            switch slot {
            case .number(let p, let domain, let index):
                let u = Swift.min(Swift.max(point[index], 0), 1)
                values[p.name] = domain.value(fromInternal: domain.low + u * (domain.high - domain.low))
            case .choice(let p, let options, let index, let nested):
                let k = options.indices.max { point[index + $0] < point[index + $1] } ?? 0
                if let inner = nested[k] {
                    var fields = inner.decode(point)
                    fields["_name"] = options[k].value
                    values[p.name] = .nested(fields)
                } else if options[k].nested != nil {
                    values[p.name] = .nested(["_name": options[k].value])
                } else {
                    values[p.name] = options[k].value
                }
            }
        }
        return values
    }

    /// A point drawn uniformly: each numeric coordinate uniform, one option of each choice at random.
    func randomPoint(using random: inout SplitMix64) -> [Double] {
        var point = [Double](repeating: 0.5, count: dimensions)
        randomize(&point, using: &random)
        return point
    }

    private func randomize(_ point: inout [Double], using random: inout SplitMix64) {
        for slot in slots {
            switch slot {
            case .number(_, _, let index): point[index] = Double(random.next() >> 11) * 0x1p-53
            case .choice(_, let options, let index, let nested):
                let k = Int(random.next() % UInt64(options.count))
                for j in options.indices { point[index + j] = j == k ? 1 : 0 }
                for (j, inner) in nested.enumerated() {
                    if j == k { inner?.randomize(&point, using: &random) } else { inner?.fill(0.5, into: &point) }
                }
            }
        }
    }

    /// `point` moved a little: each numeric coordinate by a normal step of `scale`, and each choice
    /// switched to another option with probability `scale`.
    func perturb(_ point: [Double], scale: Double, using random: inout SplitMix64) -> [Double] {
        var moved = point
        perturb(&moved, scale: scale, using: &random)
        return moved
    }

    private func perturb(_ point: inout [Double], scale: Double, using random: inout SplitMix64) {
        for slot in slots {
            switch slot {
            case .number(_, _, let index):
                point[index] = Swift.min(Swift.max(point[index] + scale * Double(random.normal()), 0), 1)
            case .choice(_, let options, let index, let nested):
                var k = options.indices.max { point[index + $0] < point[index + $1] } ?? 0
                if options.count > 1, Double(random.next() >> 11) * 0x1p-53 < scale {
                    k = (k + 1 + Int(random.next() % UInt64(options.count - 1))) % options.count
                    for j in options.indices { point[index + j] = j == k ? 1 : 0 }
                    for (j, inner) in nested.enumerated() where j != k { inner?.fill(0.5, into: &point) }
                    nested[k]?.randomize(&point, using: &random)
                } else {
                    nested[k]?.perturb(&point, scale: scale, using: &random)
                }
            }
        }
    }
}
