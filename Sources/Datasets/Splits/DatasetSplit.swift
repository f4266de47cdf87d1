import Randomness

/// Seeded, class-stratified selections of a labelled set: a smaller training subset for quick runs,
/// and a held-out validation split (as He et al. hold out 5,000 CIFAR-10 training images).
public enum DatasetSplit {
    /// Splits `labels` into (train, validation) index lists: `validation` images held out, then at most
    /// `trainSubset` of the rest kept, each in proportion to the classes' sizes. Same seed, same split.
    public static func split(labels: [UInt8], trainSubset: Int?, validation: Int, seed: UInt64) -> (train: [Int], validation: [Int]) {
        var rng = SplitMix64(seed: seed)
        var byClass: [UInt8: [Int]] = [:]
        for (i, label) in labels.enumerated() { byClass[label, default: []].append(i) }
        let classes = byClass.keys.sorted()
        for c in classes { byClass[c]!.shuffle(using: &rng) }

        let held = stratifiedCounts(classes.map { byClass[$0]!.count }, total: min(validation, labels.count))
        var validationIndices: [Int] = [], remaining: [[Int]] = []
        for (k, c) in classes.enumerated() {
            validationIndices += byClass[c]![..<held[k]]
            remaining.append(Array(byClass[c]![held[k]...]))
        }
        let available = remaining.map(\.count).reduce(0, +)
        let kept = stratifiedCounts(remaining.map(\.count), total: min(trainSubset ?? available, available))
        let trainIndices = zip(remaining, kept).flatMap { $0.0.prefix($0.1) }
        return (trainIndices.sorted(), validationIndices.sorted())
    }

    /// `total` spread over groups in proportion to their sizes (largest remainders), never more than a group has.
    static func stratifiedCounts(_ sizes: [Int], total: Int) -> [Int] {
        let all = sizes.reduce(0, +)
        guard all > 0, total > 0 else { return sizes.map { _ in 0 } }
        let exact = sizes.map { Double($0) * Double(total) / Double(all) }
        var counts = exact.map { Int($0) }
        var left = total - counts.reduce(0, +)
        for k in exact.indices.sorted(by: { (exact[$0] - Double(counts[$0]), -$0) > (exact[$1] - Double(counts[$1]), -$1) }) where left > 0 {
            if counts[k] < sizes[k] {
                counts[k] += 1
                left -= 1
            }
        }
        return counts
    }
}
