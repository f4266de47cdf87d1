import Foundation
import Pipeline
import SystemIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The workspace database opened read-only beside a run (what `labmake serve` does).
@Suite("A read-only view of the workspace database")
struct ReadOnlyDatabaseTests {
    @Test("sees every commit of the writer through data_version, writes nothing, and refuses what is not a workspace")
    func readOnly() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-ro-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(throws: (any Error).self) { _ = try Workspace(root: root, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: root + "/.labmake"), "a read-only open creates nothing")

        let writer = try Workspace(root: root).database
        let reader = try StateDatabase(readingOnly: Workspace.databasePath(root: root))
        #expect(reader.isReadOnly && !writer.isReadOnly)
        let before = try reader.dataVersion()
        try writer.saveTrial(experiment: "e", number: 1, key: "k", status: "SUCCEEDED", record: "{}", time: 1)
        #expect(try reader.dataVersion() != before)
        #expect(try reader.experimentSummaries().map(\.name) == ["e"])
        #expect(try reader.trialRecords(experiment: "e", savedSince: 0).map(\.number) == [1])
        #expect(try reader.trialRecords(experiment: "e", savedSince: 2).isEmpty)

        // Caches a dry run would refresh are left alone; anything else is refused by SQLite.
        let unchanged = try reader.dataVersion()
        try reader.update(signatures: [(stage: "s", signature: "x")], fileHashes: [])
        try reader.checkpoint()
        #expect(try reader.dataVersion() == unchanged)
        #expect(throws: (any Error).self) { try reader.saveTrial(experiment: "e", number: 2, key: "k", status: "FAILED", record: "{}", time: 2) }

        let other = root + "/other.db"
        #expect(FileManager.default.createFile(atPath: other, contents: Data("not a database at all, not even close".utf8)))
        #expect(throws: (any Error).self) { _ = try StateDatabase(readingOnly: other) }
    }

    @Test("opened while a run has created the file but not yet its tables, waits for the run's setup to end")
    func waitsForSetup() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-ro-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let ready = scratch + "/ready", root = scratch + "/starting"
        _ = try Workspace(root: ready).database.checkpoint()
        try FileManager.default.createDirectory(atPath: root + "/.labmake", withIntermediateDirectories: true)
        let path = Workspace.databasePath(root: root)

        // The run: holds the setup lock, has created the database file, has no tables yet.
        let lock = open(path + "-setup.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(flock(lock, LOCK_EX) == 0)
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let outcome = Locked<Result<Bool, any Error>?>(nil)
        let opened = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            outcome.withLock { $0 = Result { try StateDatabase(readingOnly: path).isReadOnly } }
            opened.signal()
        }
        #expect(opened.wait(timeout: .now() + 0.5) == .timedOut, "the reader waits while the setup lock is held")
        // The run's tables are in place, and its setup ends.
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: Workspace.databasePath(root: ready), toPath: path)
        close(lock)
        #expect(opened.wait(timeout: .now() + 10) == .success)
        #expect(try outcome.withLock { $0 }?.get() == true)
    }
}
