import Yams

/// What a pipeline file may expand to, so that a hostile or mistaken file is refused with its location
/// instead of exhausting memory or time: YAML aliases that repeat aliases ("billion laughs"), nesting
/// deeper than any pipeline needs, a file too large to be one, a matrix of a billion stages.
enum ExpansionLimits {
    /// The largest pipeline file read.
    static let maximumBytes = 4 << 20
    /// Values (scalars, lists, mappings) the file may hold once its aliases are expanded.
    static let maximumValues = 200_000
    /// How deeply lists and mappings may nest.
    static let maximumDepth = 64
    /// Stages the pipeline may have once its matrices are expanded.
    static let maximumStages = 10_000

    /// The first node at which the composed tree passes a limit, and what it passed; nil when it
    /// stays within them. Visits at most ``maximumValues`` nodes, whatever the aliases say.
    static func check(_ root: Node) -> (node: Node, problem: String)? {
        var stack: [(Node, Int)] = [(root, 1)]
        var values = 0
        while let (node, depth) = stack.popLast() {
            values += 1
            if values > maximumValues {
                return (node, "the pipeline file expands to more than \(maximumValues) values (aliases that repeat aliases?)")
            }
            if depth > maximumDepth {
                return (node, "the pipeline file nests lists and mappings more than \(maximumDepth) deep")
            }
            switch node {
            case .scalar, .alias: break
            case .sequence(let sequence): for item in sequence.reversed() { stack.append((item, depth + 1)) }
            case .mapping(let mapping):
                for (key, value) in mapping.reversed() {
                    stack.append((value, depth + 1))
                    stack.append((key, depth + 1))
                }
            }
        }
        return nil
    }
}
