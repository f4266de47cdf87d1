import Foundation

extension ExperimentCharts {
    /// The metric against one parameter, a dot per finished trial: a numeric parameter on a linear axis
    /// (logarithmic when its values span a factor of 20 or more), a choice as a column per option.
    /// `values` gives each trial's value of the parameter as text; trials without one are left out.
    public static func slice(_ trials: [Trial], parameter: String, values: [Int: String], metric: String) -> String {
        let (width, height, left, right, top, bottom) = (320.0, 230.0, 52.0, 14.0, 28.0, 40.0)
        var svg = SVGDocument(width: width, height: height)
        let points = trials.compactMap { t -> (Trial, String, Double)? in
            guard t.status == "SUCCEEDED", let m = t.metric, m.isFinite, let v = values[t.number] else { return nil }
            return (t, v, m)
        }
        let y = ChartScale(values: points.isEmpty ? [0, 1] : points.map(\.2), from: height - bottom, to: top)
        svg.text(width / 2, 17, parameter, size: 12)
        svg.line(left, height - bottom, width - right, height - bottom, stroke: "#444")
        svg.line(left, top, left, height - bottom, stroke: "#444")
        for tick in y.ticks(4) {
            svg.line(left, y(tick), width - right, y(tick), stroke: "#eee")
            svg.text(left - 5, y(tick) + 4, ChartScale.label(tick), anchor: "end", size: 9)
        }
        svg.text(12, (top + height - bottom) / 2, metric, size: 10, rotate: true)
        let numbers = points.compactMap { Double($0.1) }
        let position: (String) -> Double
        if !points.isEmpty, numbers.count == points.count {
            let log = numbers.allSatisfy { $0 > 0 } && numbers.max()! / numbers.min()! >= 20
            let x = ChartScale(values: numbers, from: left + 6, to: width - right - 6, logarithmic: log)
            for tick in x.ticks(4) { svg.text(x(tick), height - bottom + 14, ChartScale.label(tick), size: 9) }
            if log { svg.text(width - right, height - 6, "log scale", anchor: "end", size: 9, fill: "#777") }
            position = { Double($0).map(x.callAsFunction) ?? left }
        } else {
            let options = Array(Set(points.map(\.1))).sorted()
            let step = (width - left - right) / Double(Swift.max(options.count, 1))
            for (i, option) in options.enumerated() {
                svg.text(left + step * (Double(i) + 0.5), height - bottom + 14, String(option.prefix(14)), size: 9)
            }
            position = { value in left + step * (Double(options.firstIndex(of: value) ?? 0) + 0.5) }
        }
        let columns = numbers.count != points.count
        for (t, value, m) in points {
            // Dots of one option spread a little sideways (the same way every time), so that they do not hide each other.
            let jitter = columns ? Double((t.number * 37) % 11 - 5) * 2.2 : 0
            svg.circle(position(value) + jitter, y(m), radius: 3, fill: "#1f77b4", title: "trial \(t.number): \(parameter) = \(value), \(ChartScale.label(m))",
                       attributes: ["data-trial": String(t.number)])
        }
        return svg.rendered
    }
}
