/// Splits a command's output into lines, in time linear in its bytes and memory bounded by one line.
///
/// A line ends at `\n`, `\r` or `\r\n` (a progress bar's redraws become lines of their own). A line
/// longer than ``maximumLineBytes`` keeps its first ``maximumLineBytes`` bytes and says how many were
/// cut; bytes that are not UTF-8 are replaced, never a reason to fail.
public struct OutputLines: Sendable {
    /// The longest line kept whole, in bytes.
    public static let maximumLineBytes = 64 * 1024

    private var pending: [UInt8] = []
    private var cutBytes = 0
    private var afterCarriageReturn = false
    private let limit: Int

    public init(maximumLineBytes: Int = OutputLines.maximumLineBytes) {
        limit = maximumLineBytes
        pending.reserveCapacity(256)
    }

    /// Adds bytes; `emit` receives each line they complete.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, _ emit: (String) -> Void) {
        var start = 0
        let count = bytes.count
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte == 0x0A || byte == 0x0D {
                if byte == 0x0A && afterCarriageReturn && i == start && pending.isEmpty && cutBytes == 0 {
                    // The \n of a \r\n pair: the line already ended.
                    afterCarriageReturn = false
                    i += 1
                    start = i
                    continue
                }
                append(bytes, from: start, to: i)
                emitLine(emit)
                afterCarriageReturn = byte == 0x0D
                i += 1
                start = i
                continue
            }
            afterCarriageReturn = false
            i += 1
        }
        append(bytes, from: start, to: count)
    }

    /// Ends the stream; `emit` receives the last line if it had no line break.
    public mutating func finish(_ emit: (String) -> Void) {
        if !pending.isEmpty || cutBytes > 0 { emitLine(emit) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        guard end > start else { return }
        let room = limit - pending.count
        let kept = min(room, end - start)
        if kept > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + kept)])) }
        cutBytes += (end - start) - kept
    }

    private mutating func emitLine(_ emit: (String) -> Void) {
        var line = String(decoding: pending, as: UTF8.self)
        if cutBytes > 0 { line += " … [\(cutBytes) more bytes of this line cut]" }
        emit(line)
        pending.removeAll(keepingCapacity: pending.count <= 4096)
        cutBytes = 0
    }
}
