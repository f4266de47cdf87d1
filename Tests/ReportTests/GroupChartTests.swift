import Foundation
import Report
import Testing

@Suite("Grouped curves")
struct GroupChartTests {
    @Test("each group draws its mean and a band from its lowest to its highest result at every step")
    func band() throws {
        let seeds = ExperimentCharts.Group(label: "lr=0.1", curves: [[0.2, 0.5, 0.7], [0.4, 0.6, 0.8], [0.3, 0.4, 0.9]])
        let other = ExperimentCharts.Group(label: "lr=0.01", curves: [[0.1, 0.2, 0.3]])
        let svg = ExperimentCharts.groups([seeds, other], title: "g", metric: "m")
        #expect(svg.contains("data-group=\"lr=0.1\" data-trials=\"3\"") && svg.contains("data-group=\"lr=0.01\" data-trials=\"1\""))
        let mean = try #require(svg.components(separatedBy: "<polyline").dropFirst().first { $0.contains("data-group=\"lr=0.1\"") })
        let meanY = mean.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        let polygon = try #require(svg.components(separatedBy: "<polygon").dropFirst().first { $0.contains("data-band=\"lr=0.1\"") })
        let band = polygon.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }.split(separator: " ").map { Double($0.split(separator: ",")[1])! }
        #expect(band.count == 6 && meanY.count == 3)
        // Upper edge first (highest results, smallest y), then the lower edge back: every mean lies between.
        for step in 0..<3 {
            let top = band[step], bottom = band[5 - step]
            #expect(top < meanY[step] && meanY[step] < bottom, "step \(step + 1)")
        }
        // Step 3: highest 0.9, lowest 0.7, mean 0.8 — halfway between in pixels on a linear scale.
        #expect(abs((band[2] + band[3]) / 2 - meanY[2]) < 0.11)
    }
}
