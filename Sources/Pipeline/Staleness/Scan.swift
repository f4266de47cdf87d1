/// Decides whether a stage is up to date, and if not, says why: the one place staleness is defined.
public enum Scan {
    /// Every reason the stage is stale, in order: definition, dependencies, upstream inputs, outputs.
    /// Empty when the stage is up to date.
    ///
    /// - Parameters:
    ///   - current: the stage as it is now.
    ///   - outputs: the content of its outputs in the workspace now.
    ///   - previous: its last successful run, if any.
    public static func reasons(current: StageFingerprint, outputs: ContentMap,
                               previous: StageRecord?) -> [StaleReason] {
        guard let previous else { return [.neverRun] }
        if previous.key == current.key && previous.outputs == outputs { return [] }

        var reasons: [StaleReason] = []
        let oldFields = Dictionary(StageFingerprint.fields(of: previous.definition), uniquingKeysWith: { a, _ in a })
        let newFields = Dictionary(StageFingerprint.fields(of: current.definition), uniquingKeysWith: { a, _ in a })
        for field in Set(oldFields.keys).union(newFields.keys).sorted(by: fieldOrder)
        where oldFields[field] != newFields[field] {
            reasons.append(.definitionChanged(field: field, old: oldFields[field], new: newFields[field]))
        }
        let oldDeps = lookup(previous.deps), oldInputs = lookup(previous.inputs), oldOutputs = lookup(previous.outputs)
        for (path, id) in current.deps.entries where (oldDeps[path] ?? nil) != id {
            reasons.append(.dependencyChanged(path: path, missing: id == nil))
        }
        for (qualified, id) in current.inputs.entries where (oldInputs[qualified] ?? nil) != id {
            let (stage, path) = splitInput(qualified)
            reasons.append(.inputChanged(path: path, stage: stage))
        }
        for (path, id) in outputs.entries where (oldOutputs[path] ?? nil) != id {
            reasons.append(id == nil ? .outputMissing(path: path) : .outputModified(path: path))
        }
        if reasons.isEmpty && previous.key != current.key {
            // Same definition, deps and inputs by field, yet another key: files were removed from a list.
            reasons.append(.definitionChanged(field: "dependencies", old: nil, new: nil))
        }
        return reasons
    }

    private static func lookup(_ map: ContentMap) -> [String: ContentID?] {
        Dictionary(map.entries.map { ($0.path, $0.id) }, uniquingKeysWith: { a, _ in a })
    }

    /// The name an upstream output has in a stage's inputs: `STAGE:PATH`.
    public static func inputName(stage: String, path: String) -> String { stage + ":" + path }

    private static func splitInput(_ qualified: String) -> (String, String) {
        guard let colon = qualified.firstIndex(of: ":") else { return ("?", qualified) }
        return (String(qualified[..<colon]), String(qualified[colon...].dropFirst()))
    }

    /// kind, version, command, then parameters and options by name, then outs.
    private static func fieldOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ f: String) -> Int {
            switch f {
            case "kind": 0
            case "version": 1
            case "command": 2
            case _ where f.hasPrefix("param:"): 3
            case _ where f.hasPrefix("with:"): 4
            default: 5
            }
        }
        return (rank(a), a) < (rank(b), b)
    }
}
