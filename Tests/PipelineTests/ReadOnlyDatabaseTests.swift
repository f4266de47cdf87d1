import Foundation
import Pipeline
import Testing

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
        FileManager.default.createFile(atPath: other, contents: Data("not a database at all, not even close".utf8))
        #expect(throws: (any Error).self) { _ = try StateDatabase(readingOnly: other) }
    }
}
