import Foundation

/// Charts of an experiment's trials as SVG text, shared by the lab report and the dashboard: the same
/// trials always give the same bytes, and every mark carries `data-trial` so a page can find it.
public enum ExperimentCharts {
    static let width = 640.0, height = 360.0
    static let left = 64.0, right = 24.0, top = 36.0, bottom = 48.0

    /// One trial as a chart sees it.
    public struct Trial: Sendable, Equatable {
        public var number: Int
        /// NNI's status name: SUCCEEDED, RUNNING, FAILED, EARLY_STOPPED…
        public var status: String
        /// The final metric.
        public var metric: Double?
        public var intermediates: [Double]
        /// Seconds since the experiment's first start; nil before it starts.
        public var start: Double?
        /// Seconds since the experiment's first start; nil while it runs.
        public var end: Double?

        public init(number: Int, status: String, metric: Double?, intermediates: [Double] = [], start: Double? = nil, end: Double? = nil) {
            self.number = number
            self.status = status
            self.metric = metric
            self.intermediates = intermediates
            self.start = start
            self.end = end
        }
    }

    /// A number as the axes write it: `0.8375`, `1e-05`.
    public static func label(_ x: Double) -> String { ChartScale.label(x) }

    /// The colour of a status, the same on every chart and in the dashboard's badges.
    public static func color(status: String) -> String {
        switch status {
        case "SUCCEEDED": "#1f77b4"
        case "RUNNING", "WAITING": "#2ca02c"
        case "EARLY_STOPPED": "#ff7f0e"
        default: "#999999"
        }
    }

    /// The metric of each trial in order (dots; trials without a result as grey marks on the axis) and the
    /// best so far (a step line). `format` writes a value in a tooltip; `axis` may zoom or take logs.
    public static func history(_ trials: [Trial], title: String, metric: String, maximize: Bool = true,
                               format: ((Double) -> String)? = nil, axis: ValueAxis? = nil) -> String {
        let format = format ?? ChartScale.label
        var svg = SVGDocument(width: width, height: height)
        let numbers = trials.map { Double($0.number) }
        let metrics = trials.compactMap(\.metric).filter(\.isFinite)
        let x = ChartScale(values: numbers, from: left, to: width - right)
        let y = (axis ?? .automatic).scale(metrics, from: height - bottom, to: top)
        frame(&svg, x: x, y: y, title: title, xLabel: "trial", yLabel: metric, integerX: true)
        if let axis { ValueAxis.zoomArea(&svg, y, left: left, right: width - right, top: top, bottom: height - bottom) }
        let clipped = { (v: Double) in Swift.min(Swift.max(y(v), top), height - bottom) }
        var best: Double?
        var steps: [(Double, Double)] = []
        for t in trials {
            guard let m = t.metric, m.isFinite, t.status == "SUCCEEDED" else {
                svg.text(x(Double(t.number)), height - bottom - 4, "×", size: 12, fill: "#999")
                continue
            }
            if axis?.shows(m) ?? true {
                svg.circle(x(Double(t.number)), y(m), fill: "#1f77b4", title: "trial \(t.number): \(format(m))",
                           attributes: ["data-trial": String(t.number)])
            }
            let improved = best.map { maximize ? m > $0 : m < $0 } ?? true
            if improved {
                if let b = best { steps.append((x(Double(t.number)), clipped(b))) }
                best = m
            }
            steps.append((x(Double(t.number)), clipped(best!)))
        }
        svg.polyline(steps, stroke: "#d62728")
        legend(&svg, [("#1f77b4", "trial"), ("#d62728", "best so far")])
        return svg.rendered
    }

    /// Each trial's intermediate results by step: at most `limit` curves (running trials first, then the
    /// best by their last value), each down-sampled to `pointsPerCurve`; early-stopped trials end in a
    /// cross; a dashed line is the median of every trial's result at each step (what `medianstop` compares with).
    public static func curves(_ trials: [Trial], title: String, metric: String, maximize: Bool = true, limit: Int = 60,
                              pointsPerCurve: Int = 120, axis: ValueAxis? = nil) -> String {
        var svg = SVGDocument(width: width, height: height)
        let withCurves = trials.filter { !$0.intermediates.filter(\.isFinite).isEmpty }
        let steps = withCurves.map(\.intermediates.count).max() ?? 1
        let values = withCurves.flatMap(\.intermediates).filter(\.isFinite)
        let x = ChartScale(values: [1, Double(Swift.max(steps, 2))], from: left, to: width - right, padding: 0.02)
        let y = (axis ?? .automatic).scale(values, from: height - bottom, to: top)
        let clipped = { (v: Double) in Swift.min(Swift.max(y(v), top), height - bottom) }
        let shown = chosen(withCurves, limit: limit, maximize: maximize)
        let shownTitle = withCurves.count > shown.count ? "\(title) (\(shown.count) of \(withCurves.count) trials)" : title
        frame(&svg, x: x, y: y, title: shownTitle, xLabel: "step", yLabel: metric, integerX: true)
        if let axis { ValueAxis.zoomArea(&svg, y, left: left, right: width - right, top: top, bottom: height - bottom) }
        for t in shown.sorted(by: { $0.number < $1.number }) {
            let points = downsampled(t.intermediates, to: pointsPerCurve).map { (x(Double($0.step)), clipped($0.value)) }
            svg.polyline(points, stroke: color(status: t.status), width: 1.2, opacity: 0.7,
                         title: "trial \(t.number) (\(t.status.lowercased())): \(t.intermediates.count) steps",
                         attributes: ["data-trial": String(t.number), "data-points": String(t.intermediates.count)])
            if t.status == "EARLY_STOPPED", let last = points.last {
                svg.text(last.0, last.1 + 4, "×", size: 13, fill: "#d62728")
            }
        }
        // The median of one curve is that curve: drawn over it, it would hide it.
        let median = withCurves.count < 2 ? [] : (0..<steps).compactMap { step -> (Double, Double)? in
            let at = withCurves.compactMap { step < $0.intermediates.count && $0.intermediates[step].isFinite ? $0.intermediates[step] : nil }
            guard !at.isEmpty else { return nil }
            return (x(Double(step + 1)), clipped(Self.median(at)))
        }
        svg.polyline(downsampledPoints(median, to: pointsPerCurve), stroke: "#333", width: 2, dash: "5 3",
                     attributes: ["data-series": "median"])
        legend(&svg, [("#1f77b4", "succeeded"), ("#2ca02c", "running"), ("#ff7f0e", "stopped early"), ("#333", "median")])
        return svg.rendered
    }

    /// A bar per trial from its start to its end (to `now` while it runs), coloured by status: how many
    /// ran at once, and where workers sat idle. At most `limit` bars, the latest trials.
    public static func timeline(_ trials: [Trial], title: String, now: Double, limit: Int = 400) -> String {
        var svg = SVGDocument(width: width, height: height)
        let started = trials.filter { $0.start != nil }.suffix(limit)
        let ends = started.map { $0.end ?? now }
        let x = ChartScale(values: (started.compactMap(\.start) + ends).isEmpty ? [0, 1] : started.compactMap(\.start) + ends,
                           from: left, to: width - right, padding: 0.02)
        let numbers = started.map { Double($0.number) }
        let y = ChartScale(values: numbers.isEmpty ? [1, 2] : numbers, from: top, to: height - bottom, padding: 0.02)
        let shownTitle = trials.filter { $0.start != nil }.count > started.count ? "\(title) (latest \(started.count) trials)" : title
        frame(&svg, x: x, y: y, title: shownTitle, xLabel: "seconds since the first trial started", yLabel: "trial", integerX: false)
        let barHeight = Swift.max(1, Swift.min(12, (height - top - bottom) / Double(Swift.max(started.count, 1)) * 0.8))
        for (t, end) in zip(started, ends) {
            let start = t.start!
            svg.rect(x(start), y(Double(t.number)) - barHeight / 2, Swift.max(x(end) - x(start), 1), barHeight, fill: color(status: t.status),
                     title: String(format: "trial %d (%@): %.1f s", t.number, t.status.lowercased(), end - start),
                     attributes: ["data-trial": String(t.number), "data-start": String(format: "%.3f", start),
                                  "data-end": t.end.map { String(format: "%.3f", $0) } ?? ""])
        }
        return svg.rendered
    }

    /// The curves to draw: running trials first, then the best by last value.
    static func chosen(_ trials: [Trial], limit: Int, maximize: Bool) -> [Trial] {
        guard trials.count > limit else { return trials }
        let running = trials.filter { $0.status == "RUNNING" }.prefix(limit / 3)
        let last = { (t: Trial) in t.intermediates.last(where: \.isFinite) ?? (maximize ? -.infinity : .infinity) }
        let rest = trials.filter { $0.status != "RUNNING" }.sorted { maximize ? last($0) > last($1) : last($0) < last($1) }
        return Array(running) + rest.prefix(limit - running.count)
    }

    /// At most about `count` points of a curve (1-based steps): the lowest and highest of each bucket, in order.
    static func downsampled(_ values: [Double], to count: Int) -> [(step: Int, value: Double)] {
        let points = values.enumerated().filter { $0.element.isFinite }.map { (step: $0.offset + 1, value: $0.element) }
        guard points.count > count, count >= 4 else { return points }
        let buckets = count / 2
        var result: [(step: Int, value: Double)] = []
        for b in 0..<buckets {
            let slice = points[(b * points.count / buckets)..<((b + 1) * points.count / buckets)]
            guard let low = slice.min(by: { $0.value < $1.value }), let high = slice.max(by: { $0.value < $1.value }) else { continue }
            result += low.step <= high.step ? [low, high] : [high, low]
        }
        if result.last?.step != points.last?.step, let last = points.last { result.append(last) }
        return result
    }

    static func downsampledPoints(_ points: [(Double, Double)], to count: Int) -> [(Double, Double)] {
        guard points.count > count, count > 1 else { return points }
        return (0..<count).map { points[$0 * (points.count - 1) / (count - 1)] }
    }

    static func median(_ values: [Double]) -> Double {
        // Selection rather than a sort: the curves chart takes a median at every step of thousands of trials.
        var copy = values
        let upper = select(&copy, rank: copy.count / 2)
        guard copy.count % 2 == 0 else { return upper }
        let lower = copy[..<(copy.count / 2)].max()!
        return (lower + upper) / 2
    }

    /// The value of rank `k` (from 0) of `values`, which it leaves partitioned around it: smaller before, larger after.
    static func select(_ values: inout [Double], rank k: Int) -> Double {
        var (low, high) = (0, values.count - 1)
        while low < high {
            let pivot = values[(low + high) / 2]
            var (i, j) = (low, high)
            while i <= j {
                while values[i] < pivot { i += 1 }
                while values[j] > pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if k <= j { high = j } else if k >= i { low = i } else { break }
        }
        return values[k]
    }

    static func frame(_ svg: inout SVGDocument, x: ChartScale, y: ChartScale, title: String, xLabel: String, yLabel: String,
                      integerX: Bool) {
        svg.text(width / 2, 20, title, size: 14)
        svg.line(left, height - bottom, width - right, height - bottom, stroke: "#444")
        svg.line(left, top, left, height - bottom, stroke: "#444")
        for tick in y.ticks() {
            svg.line(left, y(tick), width - right, y(tick), stroke: "#eee")
            svg.text(left - 6, y(tick) + 4, ChartScale.label(tick), anchor: "end", size: 10)
        }
        for tick in x.ticks() where !integerX || tick == tick.rounded() {
            svg.text(x(tick), height - bottom + 16, ChartScale.label(tick), size: 10)
        }
        svg.text(width / 2, height - 10, xLabel, size: 11)
        svg.text(16, (top + height - bottom) / 2, yLabel, size: 11, rotate: true)
    }

    static func legend(_ svg: inout SVGDocument, _ entries: [(String, String)]) {
        for (k, entry) in entries.enumerated() {
            let y = top + 8 + Double(k) * 16
            svg.line(width - right - 110, y, width - right - 92, y, stroke: entry.0, width: 3)
            svg.text(width - right - 86, y + 4, entry.1, anchor: "start", size: 10)
        }
    }
}
