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

extension PathRules {
    /// `name` as one file name that stays in its folder: `/` and NUL escaped as `%2F` and `%00`, `%` as
    /// `%25`, and a leading `.` as `%2E` (so `..` and hidden names cannot occur).
    public static func safeFileName(_ name: String) -> String {
        var out = ""
        out.reserveCapacity(name.utf8.count)
        for (i, ch) in name.enumerated() {
            switch ch {
            case "/": out += "%2F"
            case "\0": out += "%00"
            case "%": out += "%25"
            case "." where i == 0: out += "%2E"
            default: out.append(ch)
            }
        }
        return out.isEmpty ? "%" : out
    }
}
