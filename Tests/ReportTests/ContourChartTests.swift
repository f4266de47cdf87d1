import Foundation
import Report
import Testing

@Suite("The contour chart")
struct ContourChartTests {
    /// A 5 × 5 grid of trials over [0, 1]², metric x + y.
    static let points: [ExperimentCharts.ContourPoint] = (0..<25).map { (k: Int) -> ExperimentCharts.ContourPoint in
        let x: Double = Double(k % 5) / 4
        let y: Double = Double(k / 5) / 4
        return ExperimentCharts.ContourPoint(trial: k + 1, x: x, y: y, metric: x + y)
    }

    static func bucket(_ svg: String, cell: String) -> Int? {
        svg.components(separatedBy: "data-cell=\"\(cell)\" data-bucket=\"").dropFirst().first.flatMap { Int($0.prefix { $0.isNumber }) }
    }

    @Test("cells take the shade of the results near them: the best corner darkest, the worst lightest; each dot the shade of its own result")
    func shades() {
        let n = ExperimentCharts.contourCells
        let svg = ExperimentCharts.contour(Self.points, xName: "x", yName: "y", metric: "m")
        #expect(svg.components(separatedBy: "data-cell=").count - 1 == n * n)
        // Row 0 is the top of the plot (largest y); column n − 1 its right (largest x).
        #expect(Self.bucket(svg, cell: "\(n - 1),0") == 8)
        #expect(Self.bucket(svg, cell: "0,\(n - 1)") == 0)
        let middle = Self.bucket(svg, cell: "\(n / 2),\(n / 2)") ?? -1
        #expect(middle >= 3 && middle <= 5, "the centre is middling: \(middle)")
        #expect(svg.contains("data-trial=\"25\" data-bucket=\"8\"") && svg.contains("data-trial=\"1\" data-bucket=\"0\""))
        let minimized = ExperimentCharts.contour(Self.points, xName: "x", yName: "y", metric: "m", maximize: false)
        #expect(Self.bucket(minimized, cell: "0,\(n - 1)") == 8, "minimizing: the smallest results are the best")
    }

    @Test("parameters spanning a factor of 20 or more are drawn on a log scale; one trial draws no grid")
    func logAndSparse() {
        let spread: [ExperimentCharts.ContourPoint] = (1...9).map { (n: Int) -> ExperimentCharts.ContourPoint in
            ExperimentCharts.ContourPoint(trial: n, x: pow(10, -Double(n)), y: Double(n), metric: Double(n))
        }
        let svg = ExperimentCharts.contour(spread, xName: "lr", yName: "depth", metric: "m")
        #expect(svg.contains("lr (log)") && !svg.contains("depth (log)"))
        #expect(!ExperimentCharts.contour([Self.points[0]], xName: "x", yName: "y", metric: "m").contains("data-cell"))
    }
}
