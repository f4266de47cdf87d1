import Compute
import Foundation

/// Softmax cross-entropy per example, with log-sum-exp taken around the row's maximum so that large
/// logits do not overflow; label smoothing mixes the one-hot target with the uniform distribution.
enum CrossEntropy {
    static func forward(_ logits: Tensor, _ labels: Tensor, smoothing: Float) -> [Float] {
        let (n, c) = (logits.shape[0], logits.shape[1])
        let (x, y) = (logits.values, labels.values)
        return (0..<n).map { i in
            let row = x[(i * c)..<((i + 1) * c)].map(Double.init)
            let m = row.max() ?? 0
            let logSumExp = m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
            let label = Int(y[i])
            let target = (1 - Double(smoothing)) * row[label] + Double(smoothing) / Double(c) * row.reduce(0, +)
            return Float(logSumExp - target)
        }
    }

    static func gradient(_ logits: Tensor, _ labels: Tensor, _ gradient: Tensor, smoothing: Float) -> [Float] {
        let (n, c) = (logits.shape[0], logits.shape[1])
        let (x, y, g) = (logits.values, labels.values, gradient.values)
        var result = [Float](repeating: 0, count: n * c)
        for i in 0..<n {
            let row = x[(i * c)..<((i + 1) * c)].map(Double.init)
            let m = row.max() ?? 0
            let e = row.map { Foundation.exp($0 - m) }
            let total = e.reduce(0, +)
            for j in 0..<c {
                let target = (j == Int(y[i]) ? 1 - Double(smoothing) : 0) + Double(smoothing) / Double(c)
                result[i * c + j] = Float((e[j] / total - target) * Double(g[i]))
            }
        }
        return result
    }
}
