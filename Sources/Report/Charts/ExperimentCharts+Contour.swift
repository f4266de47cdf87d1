import Foundation

extension ExperimentCharts {
    /// One finished trial on a contour chart: its two parameters' values and its metric.
    public struct ContourPoint: Sendable, Equatable {
        public var trial: Int
        public var x: Double
        public var y: Double
        public var metric: Double

        public init(trial: Int, x: Double, y: Double, metric: Double) {
            self.trial = trial
            self.x = x
            self.y = y
            self.metric = metric
        }
    }

    /// The shades of a contour chart, worst to best.
    static let contourShades = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]
    /// Cells per side of a contour chart's grid.
    public static let contourCells = 24

    /// The metric over two numeric parameters: a grid whose every cell has the inverse-distance-weighted
    /// metric of the trials (distances on the axes as drawn, logarithmic where the values span a factor of
    /// 20 or more), shaded in nine steps from the worst result to the best, with the trials as dots (at most
    /// `dotLimit`, evenly spaced: the grid uses them all).
    public static func contour(_ points: [ContourPoint], xName: String, yName: String, metric: String, maximize: Bool = true,
                               dotLimit: Int = 400) -> String {
        let size = 420.0, left = 64.0, right = 96.0, top = 36.0, bottom = 48.0
        var svg = SVGDocument(width: size + left + right - 40, height: size)
        let plot = (x0: left, x1: size + left - 40 - 20, y0: size - bottom, y1: top)
        svg.text((plot.x0 + plot.x1) / 2, 20, "\(metric) over \(xName) and \(yName)", size: 13)
        let spanned = { (values: [Double]) in values.allSatisfy { $0 > 0 } && (values.max() ?? 1) / (values.min() ?? 1) >= 20 }
        let x = ChartScale(values: points.isEmpty ? [0, 1] : points.map(\.x), from: plot.x0, to: plot.x1,
                           logarithmic: spanned(points.map(\.x)), padding: 0.02)
        let y = ChartScale(values: points.isEmpty ? [0, 1] : points.map(\.y), from: plot.y0, to: plot.y1,
                           logarithmic: spanned(points.map(\.y)), padding: 0.02)
        let metrics = points.map(\.metric)
        let (worst, best) = maximize ? (metrics.min() ?? 0, metrics.max() ?? 1) : (metrics.max() ?? 1, metrics.min() ?? 0)
        let bucket = { (value: Double) -> Int in
            guard best != worst else { return contourShades.count - 1 }
            let t = (value - worst) / (best - worst)
            return Swift.min(Swift.max(Int(t * Double(contourShades.count)), 0), contourShades.count - 1)
        }
        if points.count >= 2 {
            let n = contourCells
            let (w, h) = ((plot.x1 - plot.x0) / Double(n), (plot.y0 - plot.y1) / Double(n))
            // Pixel positions of the trials, where the distances are measured.
            let placed = points.map { (px: x($0.x), py: y($0.y), m: $0.metric) }
            for i in 0..<n {
                for j in 0..<n {
                    let cx = plot.x0 + (Double(i) + 0.5) * w, cy = plot.y1 + (Double(j) + 0.5) * h
                    var weights = 0.0, sum = 0.0, exact: Double?
                    for p in placed {
                        let d2 = (p.px - cx) * (p.px - cx) + (p.py - cy) * (p.py - cy)
                        if d2 < 1e-9 { exact = p.m; break }
                        let weight = 1 / (d2 * d2.squareRoot())
                        weights += weight
                        sum += weight * p.m
                    }
                    let value = exact ?? sum / weights
                    let shade = bucket(value)
                    svg.rect(plot.x0 + Double(i) * w, plot.y1 + Double(j) * h, w + 0.3, h + 0.3, fill: contourShades[shade],
                             attributes: ["data-cell": "\(i),\(j)", "data-bucket": String(shade)])
                }
            }
        }
        svg.line(plot.x0, plot.y0, plot.x1, plot.y0, stroke: "#444")
        svg.line(plot.x0, plot.y1, plot.x0, plot.y0, stroke: "#444")
        for tick in x.ticks(4) { svg.text(x(tick), plot.y0 + 14, ChartScale.label(tick), size: 9) }
        for tick in y.ticks(4) { svg.text(plot.x0 - 5, y(tick) + 3, ChartScale.label(tick), anchor: "end", size: 9) }
        svg.text((plot.x0 + plot.x1) / 2, size - 12, xName + (x.logarithmic ? " (log)" : ""), size: 11)
        svg.text(14, (plot.y0 + plot.y1) / 2, yName + (y.logarithmic ? " (log)" : ""), size: 11, rotate: true)
        let dots = points.count > dotLimit ? stride(from: 0, to: points.count, by: points.count / dotLimit + 1).map { points[$0] } : points
        for p in dots {
            svg.circle(x(p.x), y(p.y), radius: 2.8, fill: "#d62728",
                       title: "trial \(p.trial): \(xName) = \(ChartScale.label(p.x)), \(yName) = \(ChartScale.label(p.y)), \(ChartScale.label(p.metric))",
                       attributes: ["data-trial": String(p.trial), "data-bucket": String(bucket(p.metric))])
        }
        // The key: each shade with the results it stands for.
        let keyX = plot.x1 + 18
        for (k, shade) in contourShades.enumerated().reversed() {
            let row = Double(contourShades.count - 1 - k)
            let low = worst + (best - worst) * Double(k) / Double(contourShades.count)
            svg.rect(keyX, top + row * 18, 14, 16, fill: shade, stroke: "#bbb")
            svg.text(keyX + 18, top + row * 18 + 12, ChartScale.label(low), anchor: "start", size: 9)
        }
        svg.text(keyX, top - 6, maximize ? "≥ (best on top)" : "≤ (best on top)", anchor: "start", size: 9, fill: "#777")
        return svg.rendered
    }
}
