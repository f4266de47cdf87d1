import Foundation
import Testing
@testable import Report

/// The whole report, byte for byte, against files kept in `golden/`: a stray section, a broken table
/// or a changed chart fails here. After an intended change, regenerate them with
/// `LABMAKE_UPDATE_GOLDEN=1 swift test --filter GoldenReportTests` and review the diff.
@Suite("The lab report, whole")
struct GoldenReportTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden")

    func check(_ text: String, against name: String) throws {
        let file = Self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["LABMAKE_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        guard text != expected else { return }
        let a = text.split(separator: "\n", omittingEmptySubsequences: false)
        let b = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
        Issue.record("\(name) differs from its golden file at line \(line + 1):\n  got:      \(line < a.count ? String(a[line]) : "<end>")\n  expected: \(line < b.count ? String(b[line]) : "<end>")")
    }

    @Test("the English and Chinese reports equal their golden files", arguments: ["lab-report.md", "lab-report.zh.md"])
    func report(template: String) throws {
        let text = try LabReport(ReportTests().model).markdown(template: try String(contentsOf: Self.repository.appendingPathComponent("templates/" + template), encoding: .utf8))
        try check(text, against: template)
    }

    @Test("every chart equals its golden file")
    func charts() throws {
        let charts = LabReport(ReportTests().model).charts
        #expect(!charts.isEmpty)
        for (name, svg) in charts.sorted(by: { $0.key < $1.key }) { try check(svg, against: name) }
    }
}
