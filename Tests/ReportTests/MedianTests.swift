import Foundation
@testable import Report
import Testing

@Suite("The curves chart's median")
struct MedianTests {
    @Test("selection gives the median a sort gives, for odd and even counts, ties and one value")
    func againstSorting() {
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        func next() -> UInt64 {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state
        }
        for size in [1, 2, 3, 4, 5, 10, 11, 100, 101, 1000, 5001] {
            for _ in 0..<20 {
                // Few distinct values half the time: ties everywhere.
                let spread: UInt64 = next() % 2 == 0 ? 5 : 1_000_000
                let values = (0..<size).map { _ in Double(next() % spread) / 7 }
                let sorted = values.sorted()
                let expected = size % 2 == 1 ? sorted[size / 2] : (sorted[size / 2 - 1] + sorted[size / 2]) / 2
                #expect(ExperimentCharts.median(values) == expected, "\(size) values")
            }
        }
    }
}
