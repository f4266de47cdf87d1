import Foundation

extension ExperimentCharts {
    /// Trials that repeat one configuration (differing only in a seed, say): their intermediate curves.
    public struct Group: Sendable, Equatable {
        public var label: String
        /// Each trial's intermediate results.
        public var curves: [[Double]]

        public init(label: String, curves: [[Double]]) {
            self.label = label
            self.curves = curves
        }
    }

    /// Each group's mean curve over its trials, with a band from their lowest to their highest result at
    /// each step: how much of a difference between configurations the repeats' spread explains.
    public static func groups(_ groups: [Group], title: String, metric: String, limit: Int = 8, pointsPerCurve: Int = 120) -> String {
        var svg = SVGDocument(width: width, height: height)
        let shown = Array(groups.prefix(limit))
        let values = shown.flatMap { $0.curves.flatMap { $0 } }.filter(\.isFinite)
        let steps = shown.flatMap(\.curves).map(\.count).max() ?? 1
        let x = ChartScale(values: [1, Double(Swift.max(steps, 2))], from: left, to: width - right, padding: 0.02)
        let y = ChartScale(values: values.isEmpty ? [0, 1] : values, from: height - bottom, to: top)
        frame(&svg, x: x, y: y, title: groups.count > shown.count ? "\(title) (\(shown.count) of \(groups.count) groups)" : title,
              xLabel: "step", yLabel: metric, integerX: true)
        for (k, group) in shown.enumerated() {
            var mean: [(Double, Double)] = [], low: [(Double, Double)] = [], high: [(Double, Double)] = []
            for step in 0..<steps {
                let at = group.curves.compactMap { step < $0.count && $0[step].isFinite ? $0[step] : nil }
                guard !at.isEmpty else { continue }
                let px = x(Double(step + 1))
                mean.append((px, y(at.reduce(0, +) / Double(at.count))))
                low.append((px, y(at.min()!)))
                high.append((px, y(at.max()!)))
            }
            let colour = palette[k % palette.count]
            let band = downsampledPoints(high, to: pointsPerCurve) + downsampledPoints(low, to: pointsPerCurve).reversed()
            svg.polygon(band, fill: colour, opacity: 0.18, attributes: ["data-band": group.label])
            svg.polyline(downsampledPoints(mean, to: pointsPerCurve), stroke: colour, width: 2,
                         title: "\(group.label): mean of \(group.curves.count) trials, band from lowest to highest",
                         attributes: ["data-group": group.label, "data-trials": String(group.curves.count)])
        }
        legend(&svg, shown.enumerated().map { (palette[$0.offset % palette.count], String($0.element.label.prefix(18))) })
        return svg.rendered
    }
}
