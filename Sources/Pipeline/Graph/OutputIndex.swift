/// Finds which stages write a path, something inside it, or a directory it lies in, in time
/// proportional to the path's depth rather than to the number of outputs.
public struct OutputIndex: Sendable {
    /// Stages by the exact (normalized) output path.
    private var exact: [String: [Int]] = [:]
    /// Stages by every directory that strictly contains one of their outputs.
    private var below: [String: [Int]] = [:]

    /// Indexes the outputs of `stages`, identified by their position.
    public init(_ stages: [StageDefinition]) {
        for (i, stage) in stages.enumerated() {
            for out in stage.outs { add(PathRules.normalized(out), stage: i) }
        }
    }

    private mutating func add(_ path: String, stage: Int) {
        exact[path, default: []].append(stage)
        var prefix = Substring(path)
        while let slash = prefix.lastIndex(of: "/") {
            prefix = prefix[..<slash]
            below[String(prefix), default: []].append(stage)
        }
    }

    /// Stages with an output equal to `path`, inside it, or containing it.
    public func stages(overlapping path: String) -> [Int] {
        let p = PathRules.normalized(path)
        var found = (exact[p] ?? []) + (below[p] ?? [])
        var prefix = Substring(p)
        while let slash = prefix.lastIndex(of: "/") {
            prefix = prefix[..<slash]
            found += exact[String(prefix)] ?? []
        }
        return found
    }

    /// Outputs that lie strictly inside a directory that is itself an output: (inner, outer).
    public func nestedOutputs() -> [(inner: String, outer: String)] {
        var pairs: [(String, String)] = []
        for path in exact.keys.sorted() {
            var prefix = Substring(path)
            while let slash = prefix.lastIndex(of: "/") {
                prefix = prefix[..<slash]
                if exact[String(prefix)] != nil { pairs.append((path, String(prefix))) }
            }
        }
        return pairs
    }
}
