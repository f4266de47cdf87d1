import Foundation
import LabmakeTesting
import Testing

/// Damage done to a workspace's state: a clear message that says what to do, and doing it works.
@Suite("Damaged workspaces", .serialized)
struct DamagedWorkspaceTests {
    static let pipeline = "stages:\n  a: {cmd: 'echo hi > a.txt', outs: [a.txt]}\n"

    /// How to damage the state, what the message must say, and the command that repairs it.
    static let cases: [(name: String, damage: String, message: String, repair: String)] = [
        ("truncated database", "truncate -s 1000 .labmake/state.db; rm -f .labmake/state.db-wal .labmake/state.db-shm",
         "state.db is damaged", "mv .labmake/state.db .labmake/state.db.damaged"),
        ("overwritten database", "head -c 20000 /dev/urandom > .labmake/state.db; rm -f .labmake/state.db-wal .labmake/state.db-shm",
         "state.db is damaged", "mv .labmake/state.db .labmake/state.db.damaged"),
        ("a text file as the database", "cp labmake.yaml .labmake/state.db; rm -f .labmake/state.db-wal .labmake/state.db-shm",
         "state.db is damaged", "mv .labmake/state.db .labmake/state.db.damaged"),
        (".labmake is a file", "rm -rf .labmake; touch .labmake", ".labmake is a file, not labmake's state folder",
         "mv .labmake .labmake.moved"),
        ("the lock is a folder", "rm -f .labmake/lock; mkdir .labmake/lock", "lock is not a lock file", "rmdir .labmake/lock"),
    ]

    @Test("each damage is named with what to do, and doing it lets the next run succeed", arguments: cases.indices)
    func damage(_ index: Int) throws {
        let c = Self.cases[index]
        let box = try Sandbox(["labmake.yaml": Self.pipeline])
        #expect(try box.labmake("run").status == 0)
        try sh(c.damage, in: box)
        let damaged = try box.labmake("run")
        #expect(damaged.status == 1, "\(c.name)")
        #expect(damaged.stderr.contains(c.message), "\(c.name): \(damaged.stderr)")
        #expect(damaged.stderr.contains(c.repair.split(separator: " ").first.map(String.init) ?? ""), "\(c.name): says what to do")
        try sh(c.repair, in: box)
        let repaired = try box.labmake("run")
        #expect(repaired.status == 0, "\(c.name): \(repaired.stderr)")
        #expect(box.read("a.txt") == "hi\n")
    }

    func sh(_ command: String, in box: Sandbox) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = box.root
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(command)")
    }
}
