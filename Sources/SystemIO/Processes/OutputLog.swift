/// What a log file keeps of a command's output (a stage's, a trial's): the first and the last lines, and how many lines were
/// cut between them, so that a flood of output costs bounded memory and still shows how it began and ended.
public struct OutputLog: Sendable {
    static let headLines = 2_000
    static let tailLines = 8_000

    private var head: [String] = []
    private var tail: [String] = []
    private var tailStart = 0
    private var cut = 0

    public init() {}

    public mutating func append(_ line: String) {
        if head.count < Self.headLines {
            head.append(line)
        } else if tail.count < Self.tailLines {
            tail.append(line)
        } else {
            tail[tailStart] = line
            tailStart = (tailStart + 1) % Self.tailLines
            cut += 1
        }
    }

    /// The log file's text.
    public var text: String {
        var lines = head
        if cut > 0 { lines.append("… [\(cut) lines of output cut; the first \(Self.headLines) and last \(Self.tailLines) are kept]") }
        lines += tail[tailStart...] + tail[..<tailStart]
        return lines.map { $0 + "\n" }.joined()
    }
}
