import Foundation

extension ExperimentCharts {
    /// One experiment's results in trial order, for ``bestSoFar(_:title:metric:maximize:)``.
    public struct Series: Sendable, Equatable {
        public var name: String
        /// Each trial's final metric in the order run; nil for a trial without one.
        public var metrics: [Double?]

        public init(name: String, metrics: [Double?]) {
            self.name = name
            self.metrics = metrics
        }
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    /// The best result so far against the number of trials run, a step line per experiment: which
    /// search found what, and how soon.
    public static func bestSoFar(_ series: [Series], title: String, metric: String, maximize: Bool = true) -> String {
        var svg = SVGDocument(width: width, height: height)
        let values = series.flatMap { $0.metrics.compactMap { $0 }.filter(\.isFinite) }
        let longest = series.map(\.metrics.count).max() ?? 1
        let x = ChartScale(values: [1, Double(Swift.max(longest, 2))], from: left, to: width - right, padding: 0.02)
        let y = ChartScale(values: values.isEmpty ? [0, 1] : values, from: height - bottom, to: top)
        frame(&svg, x: x, y: y, title: title, xLabel: "trials run", yLabel: "best \(metric) so far", integerX: true)
        for (k, s) in series.enumerated() {
            var best: Double?
            var points: [(Double, Double)] = []
            for (i, m) in s.metrics.enumerated() {
                if let m, m.isFinite, best.map({ maximize ? m > $0 : m < $0 }) ?? true {
                    if let b = best { points.append((x(Double(i + 1)), y(b))) }
                    best = m
                }
                if let b = best { points.append((x(Double(i + 1)), y(b))) }
            }
            svg.polyline(points, stroke: palette[k % palette.count], width: 2,
                         title: "\(s.name): best \(best.map(ChartScale.label) ?? "–") after \(s.metrics.count) trials",
                         attributes: ["data-series": s.name, "data-best": best.map { String($0) } ?? ""])
        }
        legend(&svg, series.enumerated().map { (palette[$0.offset % palette.count], String($0.element.name.prefix(18))) })
        return svg.rendered
    }

    /// Chosen trials' intermediate results by step, a colour each, with a legend of their labels.
    public static func overlaid(_ curves: [(label: String, values: [Double])], title: String, metric: String) -> String {
        var svg = SVGDocument(width: width, height: height)
        let values = curves.flatMap(\.values).filter(\.isFinite)
        let steps = curves.map(\.values.count).max() ?? 1
        let x = ChartScale(values: [1, Double(Swift.max(steps, 2))], from: left, to: width - right, padding: 0.02)
        let y = ChartScale(values: values.isEmpty ? [0, 1] : values, from: height - bottom, to: top)
        frame(&svg, x: x, y: y, title: title, xLabel: "step", yLabel: metric, integerX: true)
        for (k, curve) in curves.enumerated() {
            let points = downsampled(curve.values, to: 240).map { (x(Double($0.step)), y($0.value)) }
            svg.polyline(points, stroke: palette[k % palette.count], width: 2, title: curve.label,
                         attributes: ["data-series": curve.label, "data-points": String(curve.values.count)])
        }
        legend(&svg, curves.enumerated().map { (palette[$0.offset % palette.count], String($0.element.label.prefix(18))) })
        return svg.rendered
    }
}
