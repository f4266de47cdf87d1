import Foundation

/// Where malformed JSON goes wrong, as a line and column, for messages that point at the file.
enum JSONErrorLocation {
    /// The 1-based line and column of the first error in `data`; nil when it parses, or when the
    /// parser does not say where.
    static func of(_ data: Data) -> (line: Int, column: Int)? {
        guard let description = parserDescription(data) else { return nil }
        if let match = description.firstMatch(of: /line (\d+), column (\d+)/), let line = Int(match.1), let column = Int(match.2) {
            return (line, column)
        }
        let offset: Int
        if let match = description.firstMatch(of: /character (\d+)/), let at = Int(match.1) {
            offset = at
        } else if description.localizedCaseInsensitiveContains("end of file") {
            offset = data.count
        } else {
            return nil
        }
        var line = 1, column = 1
        for byte in data.prefix(offset) {
            if byte == UInt8(ascii: "\n") { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }

    /// What the parser says is wrong, without its position: "Invalid value".
    static func reason(_ data: Data) -> String? {
        guard let description = parserDescription(data) else { return nil }
        let words = description.split(separator: " around ").first.map(String.init) ?? description
        return words.trimmingCharacters(in: CharacterSet(charactersIn: ". "))
    }

    private static func parserDescription(_ data: Data) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return nil
        } catch {
            return (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        }
    }
}
