import Foundation

/// How a chart draws its value axis: on a logarithmic scale (when every value is positive), and zoomed
/// into a range, values outside it left out (lines clipped at the frame).
public struct ValueAxis: Sendable, Equatable {
    public var logarithmic: Bool
    public var range: ClosedRange<Double>?

    public init(logarithmic: Bool = false, range: ClosedRange<Double>? = nil) {
        self.logarithmic = logarithmic
        self.range = range
    }

    /// The axis fitted to the data.
    public static let automatic = ValueAxis()

    /// A range from text such as `0.8:0.95`; nil for anything else.
    public static func range(_ text: String) -> ClosedRange<Double>? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), a.isFinite, b.isFinite, a != b else { return nil }
        return Swift.min(a, b)...Swift.max(a, b)
    }

    /// The scale from values to pixels `from`…`to`.
    func scale(_ values: [Double], from: Double, to: Double) -> ChartScale {
        if let range { return ChartScale(values: [range.lowerBound, range.upperBound], from: from, to: to, logarithmic: logarithmic, padding: 0) }
        return ChartScale(values: values.isEmpty ? [0, 1] : values, from: from, to: to, logarithmic: logarithmic)
    }

    /// Whether `value` is drawn.
    func shows(_ value: Double) -> Bool { range?.contains(value) ?? true }

    /// A transparent band over the plot area that a page's script turns a vertical drag on into a range.
    static func zoomArea(_ svg: inout SVGDocument, _ y: ChartScale, left: Double, right: Double, top: Double, bottom: Double) {
        svg.rect(left, top, right - left, bottom - top, fill: "transparent",
                 attributes: ["data-zoom": "y", "data-low": String(y.low), "data-high": String(y.high), "data-from": SVGDocument.n(y.from),
                              "data-to": SVGDocument.n(y.to), "data-scale": y.logarithmic ? "log" : "linear"])
        if y.logarithmic { svg.text(right, top - 6, "log scale", anchor: "end", size: 9, fill: "#777") }
    }
}
