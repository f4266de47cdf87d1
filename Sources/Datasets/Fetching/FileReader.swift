import SystemIO

/// The file operations of the dataset cache and the extractor, through the one I/O seam
/// (``LocalFileSystem``), with errors in the dataset's words.
enum FileReader {
    static let files: any FileSystem = LocalFileSystem(durable: false)

    static func chunks(_ path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws {
        do { try files.readChunks(path, body) } catch let error as FileSystemError {
            throw DatasetError("cannot read \(path): \(error.reason)")
        }
    }

    static func size(_ path: String) -> Int64? { files.stat(path)?.size }

    static func exists(_ path: String) -> Bool { files.exists(path) }

    @discardableResult
    static func remove(_ path: String) -> Bool { (try? files.removeItem(path)) != nil }

    static func makeDirectory(_ path: String) throws {
        do { try files.createDirectory(path) } catch let error as FileSystemError {
            throw DatasetError("cannot create \(path): \(error.reason)")
        }
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        do { return try files.readFile(path) } catch let error as FileSystemError {
            throw DatasetError("cannot read \(path): \(error.reason)")
        }
    }

    static func isDirectory(_ path: String) -> Bool { files.stat(path)?.kind == .directory }

    static func writeEmpty(_ path: String) throws {
        do { try files.writeFile(path, []) } catch let error as FileSystemError {
            throw DatasetError("cannot write \(path): \(error.reason)")
        }
    }
}
