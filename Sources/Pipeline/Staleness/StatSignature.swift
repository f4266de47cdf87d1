import Crypto
import SystemIO

/// A digest of a stage's canonical definition and the status — device, inode, size, mtime — of every
/// file it reads and writes: the fast proof that nothing changed since its record was written, so a
/// no-op run need not compare content at all (make's check, made safe).
///
/// There is no signature, and the full content comparison of ``Scan`` decides, when a path is a
/// directory (its status does not cover its files), is missing, or was modified within
/// ``FileHasher/racyWindowNanoseconds`` of `now` (it could change again without its mtime moving).
public enum StatSignature {
    public static func compute(definition: String, paths: [String], now: Double,
                               stat: (String) -> FileStat?) -> String? {
        var hasher = SHA256()
        func feed(_ text: String) {
            var text = text
            text.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }
        feed(definition)
        let newest = Int64(now * 1e9) - FileHasher.racyWindowNanoseconds
        for path in paths {
            guard let s = stat(path), s.kind == .file, s.mtimeNanoseconds < newest else { return nil }
            feed(path)
            var fields = (s.device, s.inode, s.size, s.mtimeNanoseconds, s.isExecutable ? 1 : 0)
            withUnsafeBytes(of: &fields) { hasher.update(bufferPointer: $0) }
        }
        return SHA256Hex.hex(hasher.finalize())
    }
}
