import Pipeline

/// Writes values as compact bytes: LEB128 integers, length-prefixed UTF-8 strings.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    mutating func int(_ value: Int) {
        var v = UInt64(bitPattern: Int64(value))
        repeat {
            let low = UInt8(v & 0x7f)
            v >>= 7
            bytes.append(v == 0 ? low : low | 0x80)
        } while v != 0
    }

    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            int(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func strings(_ values: [String]) {
        int(values.count)
        for v in values { string(v) }
    }

    mutating func value(_ v: ConfigValue) {
        switch v {
        case .null: int(0)
        case .bool(let b): int(b ? 2 : 1)
        case .int(let i): int(3); int(i)
        case .double(let d): int(4); int(Int(Int64(bitPattern: d.bitPattern)))
        case .string(let s): int(5); string(s)
        case .array(let items): int(6); int(items.count); for item in items { value(item) }
        case .object(let fields): int(7); object(fields)
        }
    }

    mutating func object(_ fields: [String: ConfigValue]) {
        int(fields.count)
        for key in fields.keys.sorted() {
            string(key)
            value(fields[key]!)
        }
    }
}

/// Reads what ``BinaryWriter`` wrote; every read fails cleanly on truncated or foreign bytes.
struct BinaryReader {
    struct Malformed: Error {}

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    mutating func int() throws -> Int {
        var result: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard offset < bytes.count, shift < 64 else { throw Malformed() }
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return Int(Int64(bitPattern: result)) }
            shift += 7
        }
    }

    mutating func count() throws -> Int {
        let n = try int()
        guard n >= 0, n <= bytes.count - offset else { throw Malformed() }
        return n
    }

    mutating func string() throws -> String {
        let n = try count()
        defer { offset += n }
        return bytes.withUnsafeBufferPointer { String(decoding: $0[offset..<offset + n], as: UTF8.self) }
    }

    mutating func strings() throws -> [String] {
        let n = try count()
        var result: [String] = []
        result.reserveCapacity(n)
        for _ in 0..<n { result.append(try string()) }
        return result
    }

    mutating func value() throws -> ConfigValue {
        switch try int() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try int())
        case 4: return .double(Double(bitPattern: UInt64(bitPattern: Int64(try int()))))
        case 5: return .string(try string())
        case 6:
            let n = try count()
            var items: [ConfigValue] = []
            for _ in 0..<n { items.append(try value()) }
            return .array(items)
        case 7: return .object(try object())
        default: throw Malformed()
        }
    }

    mutating func object() throws -> [String: ConfigValue] {
        let n = try count()
        var fields: [String: ConfigValue] = [:]
        for _ in 0..<n {
            let key = try string()
            fields[key] = try value()
        }
        return fields
    }
}
