import Foundation

extension ExperimentCharts {
    /// Each parameter's importance (``ParameterImportance``) as a horizontal bar, strongest on top, the
    /// method named under the title.
    public static func importance(_ importances: [ParameterImportance], title: String) -> String {
        let shown = Array(importances.prefix(20))
        let rowHeight = 22.0, labelWidth = 170.0
        let chartHeight = top + 22 + Double(Swift.max(shown.count, 1)) * rowHeight + 28
        var svg = SVGDocument(width: width, height: chartHeight)
        svg.text(width / 2, 20, title, size: 14)
        svg.text(width / 2, 36, ParameterImportance.method, size: 10, fill: "#777")
        let x = ChartScale(values: [0, 1], from: left + labelWidth, to: width - right - 40, padding: 0)
        let base = top + 16
        for tick in [0, 0.25, 0.5, 0.75, 1.0] {
            svg.line(x(tick), base, x(tick), base + Double(shown.count) * rowHeight, stroke: "#eee")
            svg.text(x(tick), base + Double(shown.count) * rowHeight + 14, ChartScale.label(tick), size: 9)
        }
        for (i, item) in shown.enumerated() {
            let y = base + Double(i) * rowHeight
            svg.text(x(0) - 8, y + rowHeight / 2 + 4, String(item.parameter.prefix(26)), anchor: "end", size: 11)
            let sign = item.isChoice ? "η" : (item.direction < 0 ? "ρ −" : "ρ +")
            svg.rect(x(0), y + 4, Swift.max(x(item.strength) - x(0), 1), rowHeight - 8, fill: item.isChoice ? "#9467bd" : "#1f77b4",
                     title: "\(item.parameter): \(sign)\(ChartScale.label(item.strength)) over \(item.trials) trials",
                     attributes: ["data-parameter": item.parameter, "data-importance": String(format: "%.4f", item.strength)])
            svg.text(x(item.strength) + 4, y + rowHeight / 2 + 4, sign + ChartScale.label(item.strength), anchor: "start", size: 10, fill: "#555")
        }
        return svg.rendered
    }

    /// The empirical distribution of each experiment's final results: the share of its finished trials at
    /// or below each value, a step line per experiment ending at 1 — which search puts more of its trials high.
    public static func distribution(_ series: [Series], title: String, metric: String) -> String {
        var svg = SVGDocument(width: width, height: height)
        let all = series.flatMap { $0.metrics.compactMap { $0 }.filter(\.isFinite) }
        let x = ChartScale(values: all.isEmpty ? [0, 1] : all, from: left, to: width - right)
        let y = ChartScale(values: [0, 1], from: height - bottom, to: top, padding: 0.02)
        frame(&svg, x: x, y: y, title: title, xLabel: metric, yLabel: "share of trials at or below", integerX: false)
        for (k, s) in series.enumerated() {
            let values = s.metrics.compactMap { $0 }.filter(\.isFinite).sorted()
            guard !values.isEmpty else { continue }
            var points: [(Double, Double)] = [(x(values[0]), y(0))]
            for (i, v) in values.enumerated() {
                points.append((x(v), y(Double(i) / Double(values.count))))
                points.append((x(v), y(Double(i + 1) / Double(values.count))))
            }
            points.append((width - right, y(1)))
            svg.polyline(downsampledPoints(points, to: 600), stroke: palette[k % palette.count], width: 2,
                         title: "\(s.name): \(values.count) finished trials, median \(ChartScale.label(median(values)))",
                         attributes: ["data-series": s.name, "data-points": String(values.count)])
        }
        if series.count > 1 { legend(&svg, series.enumerated().map { (palette[$0.offset % palette.count], String($0.element.name.prefix(18))) }) }
        return svg.rendered
    }
}
