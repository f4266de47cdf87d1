import Foundation

/// A pipeline's stages as an SVG diagram: a column per depth (a stage sits right of everything it
/// reads), a box per stage coloured by its status, an arrow per dependency. Same stages, same bytes.
public enum PipelineDiagram {
    /// One stage's box.
    public struct Node: Sendable, Equatable {
        public var name: String
        /// `up-to-date`, `stale`, `running`, `failed`, `skipped`.
        public var status: String
        /// The second line of the box: the stage's kind, or what it is doing.
        public var caption: String
        /// The box's tooltip: why the stage is stale, or its error.
        public var detail: String
        /// Where a click on the box goes; nil for none.
        public var link: String?

        public init(name: String, status: String, caption: String, detail: String = "", link: String? = nil) {
            self.name = name
            self.status = status
            self.caption = caption
            self.detail = detail
            self.link = link
        }
    }

    static let boxWidth = 168.0, boxHeight = 46.0, columnGap = 56.0, rowGap = 18.0, margin = 16.0

    /// The fill of a status's box.
    public static func color(status: String) -> String {
        switch status {
        case "up-to-date": "#d8f0d8"
        case "stale": "#fff1c2"
        case "running": "#cfe3ff"
        case "failed": "#ffd2d2"
        default: "#eeeeee"
        }
    }

    /// - Parameter upstream: for each node, the indices of the nodes it depends on (indices into `nodes`).
    public static func svg(_ nodes: [Node], upstream: [[Int]]) -> String {
        var depth = [Int](repeating: 0, count: nodes.count)
        // Stages come in dependency order from the graph; a few passes settle any other order.
        for _ in 0..<Swift.max(nodes.count, 1) {
            var changed = false
            for i in nodes.indices {
                let d = (upstream[i].map { depth[$0] + 1 }.max() ?? 0)
                if d != depth[i] { depth[i] = d; changed = true }
            }
            if !changed { break }
        }
        let columns = (depth.max() ?? 0) + 1
        var row = [Int](repeating: 0, count: nodes.count)
        var filled = [Int](repeating: 0, count: columns)
        for i in nodes.indices { row[i] = filled[depth[i]]; filled[depth[i]] += 1 }
        let rows = filled.max() ?? 1
        let width = margin * 2 + Double(columns) * boxWidth + Double(columns - 1) * columnGap
        let height = margin * 2 + Double(Swift.max(rows, 1)) * boxHeight + Double(Swift.max(rows - 1, 0)) * rowGap
        func origin(_ i: Int) -> (Double, Double) {
            let column = Double(depth[i]), columnRows = Double(filled[depth[i]])
            let offset = (Double(rows) - columnRows) * (boxHeight + rowGap) / 2
            return (margin + column * (boxWidth + columnGap), margin + offset + Double(row[i]) * (boxHeight + rowGap))
        }
        var svg = SVGDocument(width: width, height: height)
        for i in nodes.indices {
            let (tx, ty) = origin(i)
            for j in upstream[i] {
                let (fx, fy) = origin(j)
                svg.polyline([(fx + boxWidth, fy + boxHeight / 2), (tx - 6, ty + boxHeight / 2)], stroke: "#777", width: 1.2,
                             attributes: ["data-edge": "\(nodes[j].name)→\(nodes[i].name)"])
                svg.polyline([(tx - 11, ty + boxHeight / 2 - 4), (tx - 5, ty + boxHeight / 2), (tx - 11, ty + boxHeight / 2 + 4)],
                             stroke: "#777", width: 1.2)
            }
        }
        for (i, node) in nodes.enumerated() {
            let (x, y) = origin(i)
            let draw = { (svg: inout SVGDocument) in
                svg.rect(x, y, boxWidth, boxHeight, fill: color(status: node.status), stroke: "#666", radius: 6,
                         title: node.detail.isEmpty ? "\(node.name): \(node.status)" : "\(node.name): \(node.status) — \(node.detail)",
                         attributes: ["data-stage": node.name, "data-status": node.status])
                svg.text(x + boxWidth / 2, y + 19, node.name, size: 13, fill: "#111")
                svg.text(x + boxWidth / 2, y + 36, node.caption, size: 10, fill: "#555")
            }
            if let link = node.link { svg.link(link, draw) } else { draw(&svg) }
        }
        return svg.rendered
    }
}
