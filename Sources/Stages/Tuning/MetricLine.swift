import Foundation
import NNI
import SystemIO
import Tuner

/// labmake's own stdout protocol for trials that do not use NNI's SDK: a line that is a number, or a
/// JSON object with a numeric `default` (`{"default": 0.93, "loss": 0.1}`), is a metric.
enum MetricLine {
    /// The metric a line carries; nil for any other line.
    static func result(_ line: String) -> TrialResult? {
        let text = line.trimmingSpaces
        guard !text.isEmpty, text.utf8.count <= 4096 else { return nil }
        if let value = Double(text) { return TrialResult(metric: value) }
        guard text.hasPrefix("{"), let (value, details) = try? NNIMetricRecord.scalar(json: Data(text.utf8)) else { return nil }
        return TrialResult(metric: value, details: details)
    }
}
