import Foundation

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Only F32 here.
public enum SafeTensors {
    public struct Entry: Equatable, Sendable {
        public var shape: [Int]
        public var values: [Float]
        public init(shape: [Int], values: [Float]) {
            self.shape = shape
            self.values = values
        }
    }

    /// The file's bytes for `tensors` (written in name order) and string `metadata`.
    public static func encode(_ tensors: [String: Entry], metadata: [String: String]) throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let bytes = tensors[name]!.values.count * 4
            header[name] = ["dtype": "F32", "shape": tensors[name]!.shape, "data_offsets": [offset, offset + bytes]]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces to a multiple of 8, as the reference implementation does.
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data()
        var length = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(json)
        for name in names {
            tensors[name]!.values.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: UInt8.self), count: $0.count * 4)) }
        }
        return data
    }

    /// Reads a file written by ``encode(_:metadata:)`` (or any F32 safetensors file).
    public static func decode(_ data: Data, path: String) throws -> (tensors: [String: Entry], metadata: [String: String]) {
        func corrupt(_ why: String) -> TrainingError { TrainingError("\(path) is not a valid safetensors file: \(why)") }
        guard data.count >= 8 else { throw corrupt("it is \(data.count) bytes long") }
        let length = data.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard length <= UInt64(data.count - 8) else { throw corrupt("its header claims \(length) bytes") }
        let headerEnd = 8 + Int(length)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw corrupt("its header is not a JSON object")
        }
        var tensors: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = value as? [String: String] ?? [:]
                continue
            }
            guard let info = value as? [String: Any], info["dtype"] as? String == "F32", let shape = info["shape"] as? [Int],
                  let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw corrupt("tensor '\(name)' is not described as F32 with a shape and offsets")
            }
            let (start, end) = (headerEnd + offsets[0], headerEnd + offsets[1])
            let count = shape.reduce(1, *)
            guard offsets[0] >= 0, end <= data.count, end - start == count * 4 else {
                throw corrupt("tensor '\(name)' lies outside the file or does not match its shape \(shape)")
            }
            let values = data.subdata(in: start..<end).withUnsafeBytes { raw in
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
            }
            tensors[name] = Entry(shape: shape, values: values)
        }
        return (tensors, metadata)
    }
}
