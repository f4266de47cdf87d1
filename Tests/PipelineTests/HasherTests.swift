import Pipeline
import SystemIO
import LabmakeTesting
import Testing

@Suite("Hashing files")
struct HasherTests {
    @Test("an unchanged file is read once; a changed one again; a racy hash is verified next time")
    func caching() throws {
        let clock = FakeClock(step: 0.001)  // 1 ms per reading: hashes land inside the racy window
        let fs = MemoryFileSystem(clock: clock)
        fs.write("/f", "hello")
        let racy = FileHasher(fileSystem: fs, clock: clock, known: { [:] })
        let first = try racy.contentID(of: "/f")
        let entries = racy.takeFreshEntries()
        #expect(entries.count == 1)

        let next = FileHasher(fileSystem: fs, clock: clock, known: { Dictionary(uniqueKeysWithValues: entries.map { ($0.path, $0) }) })
        #expect(try next.contentID(of: "/f") == first)
        #expect(fs.reads.withLock { $0["/f"] } == 2, "hashed within the racy window: read again")

        let slow = FakeClock(step: 10)
        let stable = FileHasher(fileSystem: fs, clock: slow, known: { [:] })
        _ = try stable.contentID(of: "/f")
        let settled = stable.takeFreshEntries()
        let later = FileHasher(fileSystem: fs, clock: slow, known: { Dictionary(uniqueKeysWithValues: settled.map { ($0.path, $0) }) })
        _ = try later.contentID(of: "/f")
        #expect(fs.reads.withLock { $0["/f"] } == 3, "a settled hash is trusted: no read")
        fs.write("/f", "world")
        #expect(try later.contentID(of: "/f") != first)
    }

    @Test("a directory's identity changes with any file inside it, and is a tree of its files")
    func trees() throws {
        let fs = MemoryFileSystem()
        fs.write("/d/a.txt", "a")
        fs.write("/d/sub/b.txt", "b")
        let hasher = FileHasher(fileSystem: fs, clock: FakeClock(), known: { [:] })
        let before = try #require(try hasher.contentID(of: "/d"))
        #expect(before.kind == .directory)
        #expect(try hasher.tree(of: "/d").map(\.path) == ["a.txt", "sub/b.txt"])
        fs.write("/d/sub/b.txt", "B")
        #expect(try hasher.contentID(of: "/d") != before)
        #expect(try hasher.contentID(of: "/nothing") == nil)
    }

    @Test("a tree listing is unsafe when a path is empty, absolute, climbs out, or lies under a link of the same tree")
    func unsafeListings() throws {
        let file = ContentID(digest: String(repeating: "a", count: 64), kind: .file)
        let link = ContentID(digest: String(repeating: "b", count: 64), kind: .link)
        #expect(TreeListing([("a/b", file), ("c", link)]).unsafePath == nil)
        #expect(TreeListing([("c", link), ("c/passwd", file)]).unsafePath == "c/passwd")
        #expect(TreeListing([("x/c", link), ("x/c/d/e", file)]).unsafePath == "x/c/d/e")
        #expect(TreeListing([("../x", file)]).unsafePath == "../x")
        #expect(TreeListing([("/etc/x", file)]).unsafePath == "/etc/x")
        // A link keeps its kind through the text form.
        #expect(ContentID(Substring(link.description)) == link)
        #expect(TreeListing(encoded: TreeListing([("c", link)]).encoded).files.first?.id.kind == .link)
    }
}
