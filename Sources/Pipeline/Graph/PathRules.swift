/// How labmake spells workspace-relative paths, so that `./a/b/`, `a//b` and `a/b` are one path.
public enum PathRules {
    /// The normal form of a path: no `.` components, no doubled or trailing slashes.
    /// `..` components are kept (see ``escapesWorkspace(_:)``).
    public static func normalized(_ path: String) -> String {
        if isNormal(path) { return path }
        let relative = path.split(separator: "/", omittingEmptySubsequences: true)
            .filter { $0 != "." }
            .joined(separator: "/")
        return path.hasPrefix("/") ? "/" + relative : relative
    }

    /// Whether the path is already normal: no empty or `.` components, no trailing slash.
    private static func isNormal(_ path: String) -> Bool {
        var utf8 = path.utf8.makeIterator()
        var componentLength = 0, dotOnly = true, first = true
        while let byte = utf8.next() {
            if byte == UInt8(ascii: "/") {
                if first { first = false; continue }  // a leading slash is fine
                if componentLength == 0 || (dotOnly && componentLength == 1) { return false }
                componentLength = 0
                dotOnly = true
            } else {
                componentLength += 1
                if byte != UInt8(ascii: ".") { dotOnly = false }
            }
            first = false
        }
        return componentLength > 0 && !(dotOnly && componentLength == 1)
    }

    /// Whether the path is absolute, climbs out of the workspace with `..`, or names the workspace itself.
    public static func isOutsideWorkspace(_ path: String) -> Bool {
        if path.hasPrefix("/") || path.hasPrefix("~") { return true }
        var depth = 0
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return true }
        }
        return depth == 0
    }
}

extension PathRules {
    /// Whether two normalized paths are the same, or one lies inside the other.
    public static func overlap(_ a: String, _ b: String) -> Bool {
        a == b || a.hasPrefix(b + "/") || b.hasPrefix(a + "/")
    }
}
