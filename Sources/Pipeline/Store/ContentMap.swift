/// Paths with their content: a stage's dependencies, inputs or outputs, sorted by path.
///
/// Kept as text, one `ID<TAB>PATH` line each (`-` for a missing path): that text is what stage keys
/// hash and what the database stores, so two maps compare as strings and a record read back from
/// the database is parsed only when someone asks for its entries.
public struct ContentMap: Sendable, Hashable {
    public typealias Entry = (path: String, id: ContentID?)

    /// The text form.
    public let encoded: String
    private let parsed: [Entry]?

    public init(_ entries: [Entry] = []) {
        let sorted = entries.sorted { $0.path < $1.path }
        var text = ""
        for (path, id) in sorted {
            text += id?.description ?? "-"
            text += "\t"
            text += path
            text += "\n"
        }
        encoded = text
        parsed = sorted
    }

    /// Wraps the text form; it is parsed on first use of ``entries``, malformed lines dropped.
    public init(encoded: String) {
        self.encoded = encoded
        parsed = nil
    }

    /// (path, content) pairs sorted by path; nil content means the path is missing.
    public var entries: [Entry] { parsed ?? ContentMap.parse(encoded) }

    public subscript(path: String) -> ContentID? {
        entries.first { $0.path == path }?.id
    }

    public var paths: [String] { entries.map(\.path) }

    /// Whether every path has content.
    public var isComplete: Bool { entries.allSatisfy { $0.id != nil } }

    public static func == (a: ContentMap, b: ContentMap) -> Bool { a.encoded == b.encoded }

    public func hash(into hasher: inout Hasher) { hasher.combine(encoded) }

    private static func parse(_ text: String) -> [Entry] {
        var entries: [Entry] = []
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            guard let tab = line.firstIndex(of: UInt8(ascii: "\t")) else { continue }
            let id = Substring(line[..<tab])
            entries.append((String(Substring(line[line.index(after: tab)...])), id == "-" ? nil : ContentID(id)))
        }
        return entries
    }
}
