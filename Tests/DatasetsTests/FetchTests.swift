import Datasets
import Foundation
import LabmakeTesting
import Testing

/// A fresh cache folder and a server, per test.
final class FetchFixture: @unchecked Sendable {
    let server: LocalHTTPServer
    let root: String
    let cache: DatasetCache

    init(retries: Int = 3) throws {
        _ = try TestArchives.digitsBytes()  // fail with a message, not later with nonsense, if it is missing
        server = try LocalHTTPServer()
        root = NSTemporaryDirectory() + "labmake-datasets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        cache = DatasetCache(root: root + "/cache", downloader: Downloader(retries: retries, backoff: 0.01, stallSeconds: 5))
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    var digits: [UInt8] { (try? TestArchives.digitsBytes()) ?? [] }

    func fetch(_ path: String, _ checksum: Checksum = .md5(TestArchives.digitsMD5)) throws -> String {
        try cache.fetch(DatasetSource(location: server.url(path), checksum: checksum), validate: { _ = try CIFAR10.load(from: $0) })
    }

    func archive(_ entries: [TestArchives.Entry]) -> (bytes: [UInt8], md5: Checksum) {
        let path = root + "/built-\(UUID().uuidString).tar.gz"
        TestArchives.write(entries, to: path)
        return (Array(FileManager.default.contents(atPath: path)!), .md5(try! Checksum.md5(String(repeating: "0", count: 32)).computeFor(path)))
    }

    /// Nothing a later run would trust: no archive, no dataset folder.
    func cacheHoldsNothing(_ checksum: Checksum) -> Bool {
        let archives = (try? FileManager.default.contentsOfDirectory(atPath: root + "/cache/archives")) ?? []
        return cache.extracted(checksum) == nil && !archives.contains { !$0.hasSuffix(".part") }
    }
}

extension Checksum {
    func computeFor(_ path: String) throws -> String { try compute(path) }
}

@Suite("Fetching CIFAR-10", .serialized)
struct FetchTests {
    @Test("downloads, verifies, extracts and loads the real digits dataset; a second fetch uses the cache, no network")
    func endToEnd() throws {
        let f = try FetchFixture()
        f.server.serve("/cifar.tar.gz", f.digits)
        let folder = try f.fetch("/cifar.tar.gz")
        let data = try CIFAR10.load(from: folder)
        #expect(data.classNames == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
        #expect(data.train.count == 1437)
        #expect(data.test.count == 360)
        #expect(data.train.pixels.count == 1437 * 3072)
        #expect(data.train.countsPerClass(classes: 10).allSatisfy { $0 > 100 })
        let requests = f.server.requests.count
        #expect(try f.fetch("/cifar.tar.gz") == folder)
        #expect(f.server.requests.count == requests, "a cache hit makes no request")
    }

    @Test("a wrong checksum is an error, and leaves nothing in the cache")
    func wrongChecksum() throws {
        let f = try FetchFixture()
        f.server.serve("/cifar.tar.gz", f.digits)
        let wrong = Checksum.md5(String(repeating: "a", count: 32))
        #expect { try f.fetch("/cifar.tar.gz", wrong) } throws: { "\($0)".contains("expected aaaaaaaa") && "\($0)".contains("it was removed") }
        #expect(f.cacheHoldsNothing(wrong))
    }

    @Test("a truncated archive (with a matching checksum) fails to extract and is not trusted")
    func truncated() throws {
        let f = try FetchFixture()
        let half = Array(f.digits.prefix(150_000))
        let path = f.root + "/half.tar.gz"
        FileManager.default.createFile(atPath: path, contents: Data(half))
        let checksum = Checksum.md5(try Checksum.md5(String(repeating: "0", count: 32)).computeFor(path))
        f.server.serve("/half.tar.gz", half)
        #expect { try f.fetch("/half.tar.gz", checksum) } throws: { "\($0)".contains("damaged or truncated") }
        #expect(f.cache.extracted(checksum) == nil)
    }

    @Test("a connection dropped mid-transfer is resumed with a Range request")
    func droppedConnection() throws {
        let f = try FetchFixture()
        f.server.serve("/cifar.tar.gz", f.digits)
        f.server.behave("/cifar.tar.gz", .dropAfter(100_000))
        let folder = try f.fetch("/cifar.tar.gz")
        #expect(try CIFAR10.load(from: folder).train.count == 1437)
        #expect(f.server.requests == ["GET /cifar.tar.gz", "GET /cifar.tar.gz bytes=100000-"])
    }

    @Test("a partial file left by a killed run is resumed; a server ignoring Range starts it over")
    func resumePartial() throws {
        let f = try FetchFixture()
        f.server.serve("/cifar.tar.gz", f.digits)
        try FileManager.default.createDirectory(atPath: f.root + "/cache/archives", withIntermediateDirectories: true)
        let partial = f.root + "/cache/archives/md5-\(TestArchives.digitsMD5).part"
        FileManager.default.createFile(atPath: partial, contents: Data(f.digits.prefix(50_000)))
        _ = try f.fetch("/cifar.tar.gz")
        #expect(f.server.requests == ["GET /cifar.tar.gz bytes=50000-"])

        let g = try FetchFixture()
        g.server.serve("/cifar.tar.gz", g.digits)
        g.server.behave("/cifar.tar.gz", .ignoreRanges)
        try FileManager.default.createDirectory(atPath: g.root + "/cache/archives", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: g.root + "/cache/archives/md5-\(TestArchives.digitsMD5).part", contents: Data(g.digits.prefix(50_000)))
        #expect(try CIFAR10.load(from: try g.fetch("/cifar.tar.gz")).test.count == 360)
    }

    @Test("HTTP 404 fails at once; HTTP 500 is retried, then reported")
    func httpErrors() throws {
        let f = try FetchFixture(retries: 2)
        #expect { try f.fetch("/missing.tar.gz") } throws: { "\($0)" == "download of \(f.server.url("/missing.tar.gz")) failed: HTTP 404 (not found)" }
        #expect(f.server.requests.count == 1)
        f.server.serve("/flaky.tar.gz", f.digits)
        f.server.behave("/flaky.tar.gz", .status(500))
        #expect { try f.fetch("/flaky.tar.gz") } throws: { "\($0)".hasSuffix("failed: HTTP 500") }
        #expect(f.server.requests.count == 4, "one attempt and two retries")
        #expect(f.cacheHoldsNothing(.md5(TestArchives.digitsMD5)))
    }

    @Test("file:// URLs and plain paths work")
    func localSources() throws {
        let f = try FetchFixture()
        let viaURL = try f.cache.fetch(DatasetSource(location: "file://" + TestArchives.digits, checksum: .md5(TestArchives.digitsMD5)))
        #expect(try CIFAR10.load(from: viaURL).train.count == 1437)
        let g = try FetchFixture()
        let viaPath = try g.cache.fetch(DatasetSource(location: TestArchives.digits, checksum: .md5(TestArchives.digitsMD5)))
        #expect(try CIFAR10.load(from: viaPath).test.count == 360)
        let h = try FetchFixture()
        #expect { try h.cache.fetch(DatasetSource(location: "/no/such.tar.gz", checksum: .md5(TestArchives.digitsMD5))) }
            throws: { "\($0)" == "no archive at /no/such.tar.gz" }
    }
}

@Suite("Reading archives safely", .serialized)
struct ArchiveTests {
    @Test("a record file that is not a whole number of records is refused, naming the file")
    func partialRecord() throws {
        let f = try FetchFixture()
        let (bytes, md5) = f.archive(TestArchives.cifar(extraBytes: 100))
        f.server.serve("/bad.tar.gz", bytes)
        #expect { try f.fetch("/bad.tar.gz", md5) } throws: {
            "\($0)".contains("data_batch_2.bin holds 18538 bytes, not a whole number of 3073-byte records")
        }
        #expect(f.cache.extracted(md5) == nil)
    }

    @Test("a missing batch file is refused")
    func missingBatch() throws {
        let f = try FetchFixture()
        let (bytes, md5) = f.archive(TestArchives.cifar(omit: "data_batch_4.bin"))
        f.server.serve("/bad.tar.gz", bytes)
        #expect { try f.fetch("/bad.tar.gz", md5) } throws: { "\($0)".contains("data_batch_4.bin is missing") }
    }

    @Test("entries with '..', absolute paths or links are refused, and nothing lands outside", arguments: [
        ("../escape.txt", "climbs out of the destination"),
        ("cifar-10-batches-bin/../../escape.txt", "climbs out of the destination"),
        ("/tmp/labmake-absolute-escape.txt", "is an absolute path"),
    ])
    func unsafeEntries(_ name: String, _ reason: String) throws {
        let f = try FetchFixture()
        let (bytes, md5) = f.archive(TestArchives.cifar() + [.file(name, Array("gotcha".utf8))])
        f.server.serve("/evil.tar.gz", bytes)
        #expect { try f.fetch("/evil.tar.gz", md5) } throws: { "\($0)".contains(reason) }
        #expect(!FileManager.default.fileExists(atPath: f.root + "/cache/escape.txt"))
        #expect(!FileManager.default.fileExists(atPath: f.root + "/escape.txt"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/labmake-absolute-escape.txt"))
        #expect(f.cache.extracted(md5) == nil)
    }

    @Test("symbolic links are refused")
    func links() throws {
        let f = try FetchFixture()
        let (bytes, md5) = f.archive(TestArchives.cifar() + [.symlink("cifar-10-batches-bin/passwd", target: "/etc/passwd")])
        f.server.serve("/link.tar.gz", bytes)
        #expect { try f.fetch("/link.tar.gz", md5) } throws: { "\($0)".contains("is a symbolic link; links are refused") }
    }
}

@Suite("Archives that expand too far")
final class ExtractionLimitTests {
    let folder = NSTemporaryDirectory() + "labmake-bomb-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func archive(_ entries: [TestArchives.Entry]) throws -> (archive: String, destination: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        TestArchives.write(entries, to: folder + "/bomb.tar.gz")
        return (folder + "/bomb.tar.gz", folder + "/out")
    }

    func extractedBytes(_ folder: String) -> Int {
        let files = FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []
        return files.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int) ?? 0)
        }
    }

    @Test("an archive that expands past what the dataset may hold (a gzip bomb) is refused before it is written out")
    func bomb() throws {
        // 8 MiB of zeros compress to a few KiB; the limit is 1 MiB.
        let (archive, destination) = try archive([.file("zeros.bin", [UInt8](repeating: 0, count: 8 << 20))])
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive)).count < 64 << 10)
        #expect { try ArchiveExtractor.extract(archive, to: destination, maximumBytes: 1 << 20) } throws: {
            "\($0)".contains("expands to more than 1048576 bytes")
        }
        #expect(extractedBytes(destination) <= (1 << 20) + (1 << 20), "stopped near the limit")
    }

    @Test("an archive with more entries than the dataset may hold is refused")
    func entries() throws {
        let (archive, destination) = try archive((0..<50).map { .file("f\($0)", [1]) })
        #expect { try ArchiveExtractor.extract(archive, to: destination, maximumEntries: 10) } throws: {
            "\($0)".contains("holds more entries than the dataset may")
        }
    }

    @Test("a CIFAR-10 source may extract to what CIFAR-10 holds, not to a whole disk")
    func cifarLimit() {
        #expect(CIFAR10.maximumExtractedBytes >= 6 * 10_000 * Int64(CIFAR10.recordSize))
        #expect(CIFAR10.maximumExtractedBytes < 1 << 30)
    }
}

@Suite("Splits")
struct SplitTests {
    @Test("validation and training subsets are stratified, disjoint and reproducible")
    func stratified() {
        let labels = (0..<1000).map { UInt8($0 % 10 < 7 ? 0 : 1) }  // 700 of class 0, 300 of class 1
        let (train, validation) = DatasetSplit.split(labels: labels, trainSubset: 100, validation: 200, seed: 42)
        #expect(validation.count == 200)
        #expect(validation.filter { labels[$0] == 0 }.count == 140)
        #expect(train.count == 100)
        #expect(train.filter { labels[$0] == 0 }.count == 70)
        #expect(Set(train).isDisjoint(with: validation))
        #expect(DatasetSplit.split(labels: labels, trainSubset: 100, validation: 200, seed: 42).train == train)
        #expect(DatasetSplit.split(labels: labels, trainSubset: 100, validation: 200, seed: 7).train != train)
        let all = DatasetSplit.split(labels: labels, trainSubset: nil, validation: 0, seed: 1)
        #expect(all.train == Array(0..<1000) && all.validation.isEmpty)
    }
}
