import Foundation

/// An SVG document built element by element, with coordinates written to one decimal so that the
/// same data always gives the same bytes.
public struct SVGDocument {
    let width: Double
    let height: Double
    private var body: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// `x` to one decimal, as `%.1f` writes it; without `String(format:)` (slow where a chart has thousands of
    /// marks) except at a tie, where printf's rounding of the exact binary value decides.
    static func n(_ x: Double) -> String {
        let tenths = x * 10
        guard tenths.isFinite, abs(tenths) < 1e15, abs(tenths - tenths.rounded(.down) - 0.5) > 1e-6 else { return String(format: "%.1f", x) }
        let rounded = Int64(tenths.rounded())
        let digits = String(abs(rounded) / 10) + "." + String(abs(rounded) % 10)
        return (x.sign == .minus ? "-" : "") + digits
    }

    static func escaped(_ text: String) -> String {
        // Most titles and labels have nothing to escape: a scan of their bytes is cheaper than four searches.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") })
        else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#888", width: Double = 1,
                       attributes: KeyValuePairs<String, String> = [:]) {
        body.append("<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(Self.attributes(attributes))/>")
    }

    /// ` name="value"` for each attribute, values escaped: the `data-*` hooks the dashboard's script and tests read.
    static func attributes(_ pairs: KeyValuePairs<String, String>) -> String {
        pairs.map { " \($0.key)=\"\(escaped($0.value))\"" }.joined()
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2, opacity: Double = 1, dash: String? = nil,
                           title: String? = nil, attributes: KeyValuePairs<String, String> = [:]) {
        guard !points.isEmpty else { return }
        let text = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        let dashing = dash.map { " stroke-dasharray=\"\($0)\"" } ?? ""
        let tooltip = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        let end = tooltip.isEmpty ? "/>" : ">\(tooltip)</polyline>"
        body.append("<polyline points=\"\(text)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-opacity=\"\(Self.n(opacity))\"\(dashing)\(Self.attributes(attributes))\(end)")
    }

    /// A filled shape through `points` (a band between two curves).
    mutating func polygon(_ points: [(Double, Double)], fill: String, opacity: Double, attributes: KeyValuePairs<String, String> = [:]) {
        guard points.count >= 3 else { return }
        let text = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polygon points=\"\(text)\" fill=\"\(fill)\" fill-opacity=\"\(Self.n(opacity))\" stroke=\"none\"\(Self.attributes(attributes))/>")
    }

    mutating func circle(_ x: Double, _ y: Double, radius: Double = 3.5, fill: String, title: String? = nil,
                         attributes: KeyValuePairs<String, String> = [:]) {
        let tooltip = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        body.append("<circle cx=\"\(Self.n(x))\" cy=\"\(Self.n(y))\" r=\"\(Self.n(radius))\" fill=\"\(fill)\"\(Self.attributes(attributes))>\(tooltip)</circle>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, stroke: String? = nil, radius: Double = 0,
                       title: String? = nil, attributes: KeyValuePairs<String, String> = [:]) {
        let tooltip = title.map { "<title>\(Self.escaped($0))</title>" } ?? ""
        let outline = stroke.map { " stroke=\"\($0)\"" } ?? ""
        let rounded = radius > 0 ? " rx=\"\(Self.n(radius))\"" : ""
        body.append("<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(Swift.max(width, 0)))\" height=\"\(Self.n(Swift.max(height, 0)))\" fill=\"\(fill)\"\(outline)\(rounded)\(Self.attributes(attributes))>\(tooltip)</rect>")
    }

    /// A link around the elements `content` adds (an SVG `<a>`).
    mutating func link(_ href: String, attributes: KeyValuePairs<String, String> = [:], _ content: (inout SVGDocument) -> Void) {
        body.append("<a href=\"\(Self.escaped(href))\"\(Self.attributes(attributes))>")
        content(&self)
        body.append("</a>")
    }

    mutating func text(_ x: Double, _ y: Double, _ content: String, anchor: String = "middle", size: Double = 11, rotate: Bool = false,
                       fill: String = "#333", attributes: KeyValuePairs<String, String> = [:]) {
        let transform = rotate ? " transform=\"rotate(-90 \(Self.n(x)) \(Self.n(y)))\"" : ""
        body.append("<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(Self.n(size))\" fill=\"\(fill)\"\(transform)\(Self.attributes(attributes))>\(Self.escaped(content))</text>")
    }

    var rendered: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" font-family=\"sans-serif\">\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" + body.joined(separator: "\n") + "\n</svg>\n"
    }
}

/// A linear or logarithmic map from data values to a pixel interval, with round tick values.
struct ChartScale {
    let low: Double, high: Double
    let logarithmic: Bool
    let from: Double, to: Double

    init(values: [Double], from: Double, to: Double, logarithmic: Bool = false, padding: Double = 0.05) {
        var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        let log = logarithmic && lo > 0
        if log { (lo, hi) = (Foundation.log10(lo), Foundation.log10(hi)) }
        if hi - lo < 1e-12 { (lo, hi) = (lo - 0.5, hi + 0.5) }
        let pad = (hi - lo) * padding
        low = lo - pad
        high = hi + pad
        self.logarithmic = log
        self.from = from
        self.to = to
    }

    func callAsFunction(_ x: Double) -> Double {
        let v = logarithmic ? Foundation.log10(Swift.max(x, 1e-300)) : x
        return from + (v - low) / (high - low) * (to - from)
    }

    /// About `count` round values inside the range.
    func ticks(_ count: Int = 5) -> [Double] {
        if logarithmic {
            return stride(from: low.rounded(.up), through: high, by: 1).map { Foundation.pow(10, $0) }
        }
        let raw = (high - low) / Double(count)
        let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        return stride(from: (low / step).rounded(.up) * step, through: high, by: step).map { ($0 / step).rounded() * step }
    }

    static func label(_ x: Double) -> String {
        if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e5) { return String(format: "%.0e", x) }
        var s = String(format: "%.4f", x)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }
}
