import Foundation
import SystemIO

/// Decodes NNI's metrics file, `$NNI_SYS_DIR/.nni/metrics`, as it grows: frames of `ME`, six ASCII
/// digits of length, then that many bytes of JSON (ending in a newline). Bytes of a frame not yet
/// complete wait for the next ``feed(_:)``.
public struct NNIMetricFrames: Sendable {
    /// The SDK refuses metrics of a million bytes or more; so does the reader.
    public static let maximumFrameBytes = 999_999

    private var pending: [UInt8] = []
    /// Bytes of the file consumed so far, complete frames only.
    public private(set) var offset = 0

    public init() {}

    /// The records completed by `bytes`, appended to the file since the last call.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws -> [NNIMetricRecord] {
        pending.append(contentsOf: bytes)
        var records: [NNIMetricRecord] = []
        var start = 0
        defer {
            pending.removeFirst(start)
        }
        while pending.count - start >= 8 {
            guard pending[start] == UInt8(ascii: "M"), pending[start + 1] == UInt8(ascii: "E") else {
                let type = String(decoding: pending[start..<start + 2], as: UTF8.self)
                throw NNIError("the metrics file has a frame of unknown type \"\(type)\" at byte \(offset) (expected ME)")
            }
            var length = 0
            for byte in pending[start + 2..<start + 8] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else {
                    throw NNIError("the metrics file has a frame without a six-digit length at byte \(offset)")
                }
                length = length * 10 + Int(byte - UInt8(ascii: "0"))
            }
            guard pending.count - start - 8 >= length else { break }
            let body = Data(pending[start + 8..<start + 8 + length])
            records.append(try NNIMetricRecord.decode(body))
            start += 8 + length
            offset += 8 + length
        }
        return records
    }

    /// Whether bytes of an incomplete frame are left over.
    public var hasPartialFrame: Bool { !pending.isEmpty }

    /// The record a stdout line carries when the SDK frames metrics there (`NNISDK_MEb'<json>'`, in
    /// NNI's reuse mode and on remote platforms); nil for any other line.
    public static func stdoutRecord(_ line: String) throws -> NNIMetricRecord? {
        let prefix = "NNISDK_MEb'"
        let text = line.trimmingSpaces
        guard text.hasPrefix(prefix), text.hasSuffix("'"), text.utf8.count > prefix.utf8.count else { return nil }
        let json = text.dropFirst(prefix.count).dropLast()
        return try NNIMetricRecord.decode(Data(json.utf8))
    }
}
