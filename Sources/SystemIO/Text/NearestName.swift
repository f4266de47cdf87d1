/// Finds the valid name a mistyped one was probably meant to be.
public enum NearestName {
    /// The candidate closest to `name` by edit distance, if close enough to be a plausible typo.
    public static func suggest(_ name: String, among candidates: [String]) -> String? {
        let lowered = name.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(lowered, candidate.lowercased())
            if distance < (best?.1 ?? Int.max) { best = (candidate, distance) }
        }
        guard let (candidate, distance) = best else { return nil }
        let limit = max(1, min(3, candidate.count / 3 + 1))
        let isPrefix = candidate.lowercased().hasPrefix(lowered) || lowered.hasPrefix(candidate.lowercased())
        return distance <= limit || (isPrefix && min(name.count, candidate.count) >= 3) ? candidate : nil
    }

    /// "did you mean 'x'?", or nil.
    public static func hint(_ name: String, among candidates: [String]) -> String? {
        suggest(name, among: candidates).map { "did you mean '\($0)'?" }
    }

    /// Levenshtein distance.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(1, b.count) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
