import Foundation
import SystemIO
import Testing

@Suite("Splitting output into lines")
struct OutputLinesTests {
    func split(_ chunks: [String], limit: Int = 16) -> [String] {
        var reader = OutputLines(maximumLineBytes: limit)
        var lines: [String] = []
        for chunk in chunks {
            Array(chunk.utf8).withUnsafeBytes { reader.feed($0) { lines.append($0) } }
        }
        reader.finish { lines.append($0) }
        return lines
    }

    @Test("\\n, \\r and \\r\\n end lines, also across chunks; a last line without a break is kept")
    func breaks() {
        #expect(split(["a\nb\rc\r\nd"]) == ["a", "b", "c", "d"])
        #expect(split(["a\r", "\nb\r", "", "\n", "c"]) == ["a", "b", "c"])
        #expect(split(["\n\n"]) == ["", ""])
        #expect(split([]) == [])
    }

    @Test("a line past the limit keeps its start and says how much was cut")
    func longLines() {
        let lines = split([String(repeating: "y", count: 10), String(repeating: "y", count: 30) + "\nok"], limit: 16)
        #expect(lines == [String(repeating: "y", count: 16) + " … [24 more bytes of this line cut]", "ok"])
    }

    @Test("bytes that are not UTF-8 are replaced, not fatal")
    func binary() {
        var reader = OutputLines()
        var lines: [String] = []
        ([0xFF, 0xFE, 0x41, 0x0A] as [UInt8]).withUnsafeBytes { reader.feed($0) { lines.append($0) } }
        #expect(lines.count == 1)
        #expect(lines[0].hasSuffix("A"))
    }

    @Test("trimming spaces drops what Foundation's .whitespaces drops, and nothing else", arguments: [
        "", " ", "\t x \t", "x", "  0.93  ", "\u{00A0}nbsp\u{3000}", "a b", " \u{2003}{\"default\": 1} ", "\r\n", "é ", "\u{200B}x",
    ])
    func trimming(_ text: String) {
        #expect(String(text.trimmingSpaces) == text.trimmingCharacters(in: .whitespaces))
    }
}
