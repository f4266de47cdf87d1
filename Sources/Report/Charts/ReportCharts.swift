import Foundation

/// The report's charts as SVG text: the same data always gives the same bytes.
public enum ReportCharts {
    static let width = 640.0, height = 360.0
    static let left = 64.0, right = 24.0, top = 36.0, bottom = 48.0

    /// The metric of each trial in order (dots; failed trials as grey marks on the axis) and the best
    /// so far (a step line).
    public static func trials(_ trials: [ReportModel.Trial], title: String, metric: String, maximize: Bool = true) -> String {
        ExperimentCharts.history(trials.map { ExperimentCharts.Trial(number: $0.number, status: $0.status, metric: $0.metric) },
                                 title: title, metric: metric, maximize: maximize, format: ReportText.percent)
    }

    /// Training and test accuracy per epoch.
    public static func learningCurve(_ epochs: [ReportModel.Epoch], title: String) -> String {
        var svg = SVGDocument(width: width, height: height)
        let values = epochs.flatMap { [$0.trainAccuracy, $0.testAccuracy] }
        let x = ChartScale(values: epochs.map { Double($0.epoch) }, from: left, to: width - right)
        let y = ChartScale(values: values.isEmpty ? [0, 1] : values, from: height - bottom, to: top)
        ExperimentCharts.frame(&svg, x: x, y: y, title: title, xLabel: "epoch", yLabel: "accuracy", integerX: true)
        svg.polyline(epochs.map { (x(Double($0.epoch)), y($0.trainAccuracy)) }, stroke: "#ff7f0e")
        svg.polyline(epochs.map { (x(Double($0.epoch)), y($0.testAccuracy)) }, stroke: "#1f77b4")
        for e in epochs { svg.circle(x(Double(e.epoch)), y(e.testAccuracy), radius: 2.5, fill: "#1f77b4") }
        ExperimentCharts.legend(&svg, [("#ff7f0e", "train"), ("#1f77b4", "test")])
        return svg.rendered
    }

    /// One vertical axis per parameter and one for the metric; each succeeded trial a line, coloured
    /// from light (worst) to dark (best). With `movableAxes`, each parameter's name says which axis it
    /// labels (`data-axis-label`), for a page that lets the axes be dragged into another order.
    public static func parallelCoordinates(_ trials: [ReportModel.Trial], parameters: [String], title: String, metric: String,
                                           movableAxes: Bool = false) -> String {
        var svg = SVGDocument(width: width, height: height)
        let done = trials.filter { $0.status == "SUCCEEDED" && ($0.metric?.isFinite ?? false) }
        let axes = parameters + [metric]
        let spacing = (width - left - right) / Double(Swift.max(axes.count - 1, 1))
        svg.text(width / 2, 20, title, size: 14)
        var positions: [(String) -> Double?] = []
        for (k, name) in axes.enumerated() {
            let ax = left + Double(k) * spacing
            if movableAxes && k < axes.count - 1 {
                svg.text(ax, height - bottom + 18, name, size: 11, attributes: ["data-axis-label": name, "style": "cursor: ew-resize"])
            } else {
                svg.text(ax, height - bottom + 18, name, size: 11)
            }
            let texts = k == axes.count - 1 ? done.map { String($0.metric!) } : done.map { $0.parameters[name] ?? "" }
            let numbers = texts.compactMap(Double.init)
            // Each axis says how its pixels map to values (`data-*`), so that a page can turn a brushed range into a filter.
            let field = k == axes.count - 1 ? "metric" : name
            if numbers.count == texts.count && !numbers.isEmpty {
                let positive = numbers.allSatisfy { $0 > 0 }
                let log = positive && (numbers.max()! / numbers.min()! >= 20)
                let scale = ChartScale(values: numbers, from: height - bottom, to: top, logarithmic: log)
                svg.line(ax, top, ax, height - bottom, stroke: "#444",
                         attributes: ["data-axis": field, "data-scale": log ? "log" : "linear", "data-low": String(scale.low),
                                      "data-high": String(scale.high), "data-from": String(scale.from), "data-to": String(scale.to)])
                for tick in [numbers.min()!, numbers.max()!] { svg.text(ax - 4, scale(tick) + 4, ChartScale.label(tick), anchor: "end", size: 9) }
                positions.append { Double($0).map(scale.callAsFunction) }
            } else {
                let options = Array(Set(texts)).sorted()
                let step = (height - bottom - top) / Double(Swift.max(options.count, 1))
                svg.line(ax, top, ax, height - bottom, stroke: "#444",
                         attributes: ["data-axis": field, "data-scale": "category", "data-options": String(decoding: (try? JSONEncoder().encode(options)) ?? Data("[]".utf8), as: UTF8.self),
                                      "data-from": String(height - bottom), "data-step": String(step)])
                for (i, option) in options.enumerated() {
                    svg.text(ax - 4, height - bottom - step * (Double(i) + 0.5) + 4, option, anchor: "end", size: 9)
                }
                positions.append { value in options.firstIndex(of: value).map { height - bottom - step * (Double($0) + 0.5) } }
            }
        }
        let metrics = done.map { $0.metric! }
        let (worst, best) = (metrics.min() ?? 0, metrics.max() ?? 1)
        for t in done.sorted(by: { $0.metric! < $1.metric! }) {
            let values = parameters.map { t.parameters[$0] ?? "" } + [String(t.metric!)]
            let points = values.enumerated().compactMap { k, v in positions[k](v).map { (left + Double(k) * spacing, $0) } }
            let share = best > worst ? (t.metric! - worst) / (best - worst) : 1
            svg.polyline(points, stroke: color(share), width: 1.5, opacity: 0.8, attributes: ["data-trial": String(t.number)])
        }
        return svg.rendered
    }

    /// From light yellow (0) through green to dark blue (1).
    static func color(_ share: Double) -> String {
        let stops: [(Double, Double, Double)] = [(253, 231, 37), (53, 183, 121), (49, 104, 142), (68, 1, 84)]
        let t = Swift.min(Swift.max(share, 0), 1) * Double(stops.count - 1)
        let i = Swift.min(Int(t), stops.count - 2), f = t - Double(i)
        let (a, b) = (stops[i], stops[i + 1])
        return String(format: "#%02x%02x%02x", Int(a.0 + (b.0 - a.0) * f), Int(a.1 + (b.1 - a.1) * f), Int(a.2 + (b.2 - a.2) * f))
    }
}
