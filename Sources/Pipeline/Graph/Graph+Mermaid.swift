import Foundation
extension Graph {
    /// The graph as a Mermaid flowchart, left to right, one node per stage in run order.
    public var mermaid: String {
        var out = "flowchart LR\n"
        for (i, stage) in stages.enumerated() { out += "  s\(i)[\"\(stage.name.replacingOccurrences(of: "\"", with: "#quot;"))\"]\n" }
        for i in stages.indices {
            for u in upstream[i] { out += "  s\(u) --> s\(i)\n" }
        }
        return out
    }
}
