import Crypto
import Foundation

/// The expected digest of a file: MD5 (what CIFAR-10 publishes) or SHA-256.
public struct Checksum: Sendable, Hashable, CustomStringConvertible {
    public enum Algorithm: String, Sendable { case md5, sha256 }

    public var algorithm: Algorithm
    /// Lowercase hex.
    public var digest: String

    public static func md5(_ hex: String) -> Checksum { Checksum(algorithm: .md5, digest: hex.lowercased()) }
    public static func sha256(_ hex: String) -> Checksum { Checksum(algorithm: .sha256, digest: hex.lowercased()) }

    /// `md5:…` or `sha256:…`: a name for cache entries.
    public var description: String { "\(algorithm.rawValue):\(digest)" }

    /// Whether `digest` is well-formed hex of the right length.
    public var isWellFormed: Bool {
        digest.count == (algorithm == .md5 ? 32 : 64) && digest.allSatisfy { $0.isHexDigit }
    }

    /// The file's digest by this checksum's algorithm.
    public func compute(_ path: String) throws -> String {
        var md5 = Insecure.MD5(), sha = SHA256()
        try FileReader.chunks(path) { chunk in
            switch algorithm {
            case .md5: md5.update(bufferPointer: chunk)
            case .sha256: sha.update(bufferPointer: chunk)
            }
        }
        let bytes: [UInt8] = algorithm == .md5 ? Array(md5.finalize()) : Array(sha.finalize())
        return bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Throws, after deleting the file, when its digest is not this one.
    public func verify(_ path: String, deleteOnMismatch: Bool = true) throws {
        let actual = try compute(path)
        guard actual == digest else {
            if deleteOnMismatch { _ = FileReader.remove(path) }
            throw DatasetError.checksum(path, expected: self, actual: actual)
        }
    }
}

extension Checksum {
    /// The checksum ``description`` wrote (`md5:…`, `sha256:…`), or nil.
    public init?(described text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let algorithm = Algorithm(rawValue: parts[0]) else { return nil }
        self = Checksum(algorithm: algorithm, digest: parts[1].lowercased())
    }
}
