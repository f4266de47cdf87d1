import Crypto

/// The identity of a file's or a directory's content: what stage keys and the artifact store use.
///
/// Spelled as text: a file is its SHA-256 in hex, with `+x` when executable; a directory is the
/// SHA-256 of its tree listing (see ``ArtifactStore``) followed by `/`; a symbolic link is the
/// SHA-256 of the path it holds followed by `@` (a link is kept as a link, never followed).
public struct ContentID: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable { case file, executable, directory, link }

    /// SHA-256 in lowercase hex.
    public var digest: String
    public var kind: Kind

    public init(digest: String, kind: Kind) {
        self.digest = digest
        self.kind = kind
    }

    /// Parses the text form; nil if malformed.
    public init?(_ text: Substring) {
        if text.hasSuffix("/") {
            self.init(digest: String(text.dropLast()), kind: .directory)
        } else if text.hasSuffix("@") {
            self.init(digest: String(text.dropLast()), kind: .link)
        } else if text.hasSuffix("+x") {
            self.init(digest: String(text.dropLast(2)), kind: .executable)
        } else {
            self.init(digest: String(text), kind: .file)
        }
        guard digest.utf8.count == 64 else { return nil }
    }

    public var description: String {
        switch kind {
        case .file: digest
        case .executable: digest + "+x"
        case .directory: digest + "/"
        case .link: digest + "@"
        }
    }

    /// A short form for messages.
    public var short: String { String(digest.prefix(8)) }
}

/// SHA-256 helpers.
public enum SHA256Hex {
    /// The SHA-256 of `text`'s UTF-8 bytes, in hex.
    public static func of(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { hex(SHA256.hash(data: UnsafeRawBufferPointer($0))) }
    }

    /// The SHA-256 of `bytes`, in hex.
    public static func of(bytes: [UInt8]) -> String { hex(SHA256.hash(data: bytes)) }

    /// Lowercase hex of a digest.
    public static func hex(_ digest: SHA256.Digest) -> String {
        let alphabet = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(64)
        for byte in digest {
            out.append(alphabet[Int(byte >> 4)])
            out.append(alphabet[Int(byte & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
