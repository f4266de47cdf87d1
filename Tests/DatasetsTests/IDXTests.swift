import Datasets
import Foundation
import LabmakeTesting
import Testing

@Suite("IDX files and datasets")
struct IDXTests {
    @Test("a file round-trips; the digits packed as IDX load as 1×28×28 images with their labels")
    func roundTrip() throws {
        let file = IDXFile(dimensions: [2, 3, 4], values: (0..<24).map(UInt8.init))
        #expect(try IDXFile.parse(file.encoded(), path: "x") == file)
        #expect(file.encoded() == TestIDX.idx([2, 3, 4], (0..<24).map(UInt8.init)))

        let fixture = try FetchFixture()
        let digits = try TestIDX.digits()
        let sources = IDXDataset.fileNames.map { name -> DatasetSource in
            fixture.server.serve("/d/" + name, digits[name]!)
            return DatasetSource(location: fixture.server.url("/d/" + name), checksum: .sha256(TestIDX.sha256(digits[name]!)),
                                 maximumExtractedBytes: IDXDataset.maximumFileBytes, decompressedName: String(name.dropLast(3)))
        }
        let paths = try IDXDataset.fetch(sources, cache: fixture.cache)
        let data = try IDXDataset.load(from: paths, classes: 10)
        #expect(data.train.shape == ImageShape(channels: 1, height: 28, width: 28))
        #expect(data.train.count == 1437 && data.test.count == 360)
        #expect(data.train.pixels.count == 1437 * 784)
        #expect(Set(data.train.labels) == Set(0...9))
        // Fetched again: from the cache, with no request.
        let requests = fixture.server.requests.count
        #expect(try IDXDataset.fetch(sources, cache: fixture.cache) == paths)
        #expect(fixture.server.requests.count == requests)
    }

    @Test("damaged and hostile files are refused with what is wrong, never a crash", arguments: [
        ([0x1f, 0x8b, 8, 0], "does not start with two zero bytes"),
        ([0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0], "only unsigned bytes"),
        ([0, 0, 8, 0], "declares 0 dimensions"),
        ([0, 0, 8, 9], "declares 9 dimensions"),
        ([0, 0, 8, 3, 0, 0], "truncated inside its header"),
        ([0, 0, 8, 1, 0, 0, 0, 5, 1, 2], "truncated"),
        ([0, 0, 8, 1, 0, 0, 0, 1, 1, 2], "bytes over"),
        ([0, 0, 8, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "more values than"),
    ] as [([UInt8], String)])
    func damaged(bytes: [UInt8], message: String) {
        #expect {
            _ = try IDXFile.parse(bytes, path: "f.idx")
        } throws: { ($0 as? DatasetError)?.message.contains(message) == true && ($0 as? DatasetError)?.message.contains("f.idx") == true }
    }

    @Test("files that do not belong together: counts, ranks, labels past the classes, image sizes")
    func mismatched() throws {
        let folder = NSTemporaryDirectory() + "labmake-idx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func load(_ files: [[UInt8]]) throws {
            let paths = files.enumerated().map { folder + "/f\($0.offset)" }
            for (path, bytes) in zip(paths, files) { FileManager.default.createFile(atPath: path, contents: Data(bytes)) }
            _ = try IDXDataset.load(from: paths, classes: 10)
        }
        let images = TestIDX.idx([2, 2, 2], [UInt8](repeating: 1, count: 8)), labels = TestIDX.idx([2], [0, 1])
        try load([images, labels, images, labels])
        func refused(_ files: [[UInt8]], _ message: String) {
            #expect { try load(files) } throws: { ($0 as? DatasetError)?.message.contains(message) == true }
        }
        refused([images, TestIDX.idx([3], [0, 1, 2]), images, labels], "holds 2 images but")
        refused([images, TestIDX.idx([2], [0, 10]), images, labels], "label 1 is 10")
        refused([labels, labels, images, labels], "an image file has three")
        refused([images, images, images, labels], "a label file has one")
        refused([images, labels, TestIDX.idx([2, 3, 3], [UInt8](repeating: 0, count: 18)), labels], "not one dataset")
        refused([TestIDX.idx([1, 5000, 1], [UInt8](repeating: 0, count: 5000)), TestIDX.idx([1], [0]), images, labels], "labmake reads images of")
        // Four dimensions: rows × columns × channels, stored as planes.
        let colour = TestIDX.idx([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), one = TestIDX.idx([1], [0])
        let paths = (0..<4).map { folder + "/c\($0)" }
        for (path, bytes) in zip(paths, [colour, one, colour, one]) { FileManager.default.createFile(atPath: path, contents: Data(bytes)) }
        let data = try IDXDataset.load(from: paths, classes: 10)
        #expect(data.train.shape == ImageShape(channels: 3, height: 1, width: 2) && data.train.pixels == [1, 4, 2, 5, 3, 6])
    }

    @Test("a gzip bomb is refused before the disk fills; a corrupt file is never kept")
    func bombs() throws {
        let fixture = try FetchFixture()
        let bomb = try TestIDX.gzip([UInt8](repeating: 0, count: 4 << 20))
        fixture.server.serve("/bomb.gz", bomb)
        let source = DatasetSource(location: fixture.server.url("/bomb.gz"), checksum: .sha256(TestIDX.sha256(bomb)),
                                   maximumExtractedBytes: 1 << 20, decompressedName: "train-images-idx3-ubyte")
        #expect { _ = try IDXDataset.fetch([source], cache: fixture.cache) } throws: {
            ($0 as? DatasetError)?.message.contains("expands to more than") == true
        }
        #expect(fixture.cache.extracted(source.checksum) == nil)
        // Compressed but not IDX inside: refused by the check, and not kept.
        let text = try TestIDX.gzip(Array("hello".utf8))
        fixture.server.serve("/text.gz", text)
        let other = DatasetSource(location: fixture.server.url("/text.gz"), checksum: .sha256(TestIDX.sha256(text)),
                                  maximumExtractedBytes: 1 << 20, decompressedName: "t10k-labels-idx1-ubyte")
        #expect { _ = try IDXDataset.fetch([other], cache: fixture.cache) } throws: {
            ($0 as? DatasetError)?.message.contains("is not an IDX file") == true
        }
        #expect(fixture.cache.extracted(other.checksum) == nil)
        // A damaged gzip stream.
        var damaged = try TestIDX.gzip(TestIDX.idx([4], [0, 1, 2, 3]))
        damaged[damaged.count / 2] ^= 0xff
        fixture.server.serve("/damaged.gz", damaged)
        let third = DatasetSource(location: fixture.server.url("/damaged.gz"), checksum: .sha256(TestIDX.sha256(damaged)),
                                  maximumExtractedBytes: 1 << 20, decompressedName: "t10k-labels-idx1-ubyte")
        #expect(throws: DatasetError.self) { _ = try IDXDataset.fetch([third], cache: fixture.cache) }
        #expect(fixture.cache.extracted(third.checksum) == nil)
    }
}
