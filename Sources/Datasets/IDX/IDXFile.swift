/// One file in the IDX format of MNIST and its kin: two zero bytes, a type byte (0x08: unsigned bytes,
/// the only type image datasets use), the number of dimensions, each dimension as a big-endian 32-bit
/// count, then the values, last dimension fastest.
public struct IDXFile: Sendable, Equatable {
    public var dimensions: [Int]
    public var values: [UInt8]

    public init(dimensions: [Int], values: [UInt8]) {
        self.dimensions = dimensions
        self.values = values
    }

    /// The type byte of unsigned-byte data.
    static let unsignedByte: UInt8 = 0x08

    /// Parses `bytes`, read from `path` (named in errors); throws unless the header is well formed and the
    /// values fill the file exactly.
    public static func parse(_ bytes: [UInt8], path: String) throws -> IDXFile {
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw DatasetError("\(path) is not an IDX file: it does not start with two zero bytes (is it still compressed, or another format?)")
        }
        let type = bytes[2], rank = Int(bytes[3])
        guard type == unsignedByte else {
            throw DatasetError("\(path) holds IDX values of type 0x\(String(type, radix: 16)); only unsigned bytes (0x08), as image datasets use, are read")
        }
        guard (1...4).contains(rank) else { throw DatasetError("\(path) declares \(rank) dimensions; an IDX image or label file has 1 to 4") }
        let header = 4 + 4 * rank
        guard bytes.count >= header else { throw DatasetError("\(path) is truncated inside its header (\(bytes.count) bytes)") }
        var dimensions: [Int] = []
        var count = 1
        for d in 0..<rank {
            let at = 4 + 4 * d
            let size = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            dimensions.append(size)
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, product <= bytes.count else {
                throw DatasetError("\(path) declares dimensions \(dimensions.map(String.init).joined(separator: "×"))…, more values than its \(bytes.count) bytes hold: the file is damaged")
            }
            count = product
        }
        guard bytes.count - header == count else {
            let shape = dimensions.map(String.init).joined(separator: "×")
            throw DatasetError("\(path) declares \(shape) = \(count) values but holds \(bytes.count - header) after its header: the file is "
                               + (bytes.count - header < count ? "truncated" : "damaged (bytes over)"))
        }
        return IDXFile(dimensions: dimensions, values: Array(bytes[header...]))
    }

    /// The file's bytes: header and values.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = [0, 0, IDXFile.unsignedByte, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24 & 0xff), UInt8(d >> 16 & 0xff), UInt8(d >> 8 & 0xff), UInt8(d & 0xff)] }
        return bytes + values
    }
}
