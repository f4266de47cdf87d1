import Foundation
import SystemIO
import Testing

@Suite("LocalFileSystem")
struct LocalFileSystemTests {
    @Test("a ranged read returns what lies past the offset, at most the maximum; past the end, nothing")
    func rangedRead() throws {
        let fs = LocalFileSystem()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-ranged-\(UUID().uuidString)").path
        defer { try? fs.removeItem(path) }
        try fs.writeText(path, "0123456789")
        #expect(try fs.readFile(path, from: 3, maximumBytes: 1 << 20) == Array("3456789".utf8))
        #expect(try fs.readFile(path, from: 2, maximumBytes: 4) == Array("2345".utf8))
        #expect(try fs.readFile(path, from: 10, maximumBytes: 4).isEmpty)
        #expect(try fs.readFile(path, from: 50, maximumBytes: 4).isEmpty)
        // A file that grows is read on from where the last read stopped.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data("abc".utf8))
        try handle.close()
        #expect(try fs.readFile(path, from: 10, maximumBytes: 1 << 20) == Array("abc".utf8))
        #expect(throws: FileSystemError.self) { try fs.readFile(path + "-missing", from: 0, maximumBytes: 1) }
    }
}
