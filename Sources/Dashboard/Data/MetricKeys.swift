import Foundation
import Tuner

/// The numbers that trials reported beside their metric (`{"default": 0.93, "loss": 0.1}`), by key: what a
/// chart can draw instead of the metric.
struct MetricKeys {
    /// Each key that some trial reported as a number, but `default` (the metric itself), sorted.
    let keys: [String]
    private let values: [Int: [String: Double]]

    init(_ trials: [TrialRecord]) {
        var values: [Int: [String: Double]] = [:]
        var keys = Set<String>()
        for t in trials {
            guard let text = t.metricDetails, case .object(let object)? = try? JSONValue.parse(Data(text.utf8)) else { continue }
            var numbers: [String: Double] = [:]
            for (key, value) in object where key != "default" {
                switch value {
                case .int(let n): numbers[key] = Double(n)
                case .double(let x): numbers[key] = x
                default: continue
                }
            }
            values[t.number] = numbers
            keys.formUnion(numbers.keys)
        }
        self.keys = keys.sorted()
        self.values = values
    }

    /// `trials` with `key`'s value as their metric (none where they did not report it).
    func trials(_ trials: [TrialRecord], drawing key: String) -> [TrialRecord] {
        trials.map { t in
            var drawn = t
            drawn.metric = values[t.number]?[key]
            return drawn
        }
    }
}
