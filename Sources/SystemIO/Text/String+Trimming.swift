extension StringProtocol {
    /// The text without spaces and tabs at either end (Foundation's `trimmingCharacters(in: .whitespaces)`:
    /// tab, the Unicode space separators and the zero-width space), in time proportional to what is trimmed: for reading
    /// millions of output lines.
    public var trimmingSpaces: SubSequence {
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || (scalar.value >= 0x80 && (scalar.properties.generalCategory == .spaceSeparator || scalar.value == 0x200B))
        }
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, isSpace(scalars[start]) { start = scalars.index(after: start) }
        while end > start, isSpace(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        return self[start..<end]
    }
}
