import Foundation
import Testing

/// fast → slow → after; `slow` records its pid, says it started, then waits for the file `go`.
let slowChain = """
    stages:
      fast:
        cmd: echo fast > fast.txt
        outs: [fast.txt]
      slow:
        cmd: echo $$ > slow.pid; touch slow.started; while [ ! -e go ]; do sleep 0.05; done; echo slow > slow.txt
        deps: [fast.txt]
        outs: [slow.txt]
      after:
        cmd: cat slow.txt > after.txt
        deps: [slow.txt]
        outs: [after.txt]
    """

func statuses(_ json: String) throws -> [String: String] {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let stages = try #require(object["stages"] as? [[String: Any]])
    return Dictionary(uniqueKeysWithValues: stages.map { ($0["name"] as! String, $0["status"] as! String) })
}

@Suite("Killed and interrupted runs", .serialized)
struct InterruptionTests {
    @Test("SIGKILL mid-run corrupts nothing; the next run finishes only the unfinished stages")
    func sigkill() throws {
        let box = try Sandbox(["labmake.yaml": slowChain])
        let run = try box.start(["run"])
        try box.waitFor("slow.started")
        run.signal(SIGKILL)
        _ = try run.wait()
        // SIGKILL cannot be caught, so the stage's command outlives labmake; stop it as a user would.
        if let pid = Int32(box.read("slow.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") { kill(-pid, SIGKILL) }

        let status = try box.labmake("status", "--json")
        #expect(status.status == 0)
        #expect(try statuses(status.stdout) == ["fast": "up-to-date", "slow": "stale", "after": "stale"])

        try box.write("go", "")
        let rerun = try box.labmake("run", "--json")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try statuses(rerun.stdout) == ["fast": "cached", "slow": "executed", "after": "executed"])
        #expect(box.read("after.txt") == "slow\n")
    }

    @Test("SIGKILL at many different moments never leaves a state the next run trusts wrongly")
    func sigkillAnywhere() throws {
        // 30 stages in a chain of 3 branches; each writes its output in two steps with a pause between.
        var yaml = "stages:\n"
        for branch in 0..<3 {
            for i in 0..<10 {
                let name = "b\(branch)s\(i)", previous = i == 0 ? nil : "out/b\(branch)s\(i - 1).txt"
                let read = previous.map { "cat \($0); " } ?? ""
                yaml += "  \(name):\n    cmd: '(\(read)echo \(name)) > out/\(name).tmp; sleep 0.0\(i % 4 + 1); mv out/\(name).tmp out/\(name).txt'\n"
                yaml += "    outs: [out/\(name).txt]\n"
                if let previous { yaml += "    deps: [\(previous)]\n" }
            }
        }
        let box = try Sandbox(["labmake.yaml": yaml])
        try FileManager.default.createDirectory(at: box.root.appendingPathComponent("out"), withIntermediateDirectories: true)
        for delay in [0.05, 0.2, 0.35, 0.5, 0.65] {
            try? FileManager.default.removeItem(at: box.root.appendingPathComponent(".labmake"))
            try? FileManager.default.removeItem(at: box.root.appendingPathComponent("out"))
            try FileManager.default.createDirectory(at: box.root.appendingPathComponent("out"), withIntermediateDirectories: true)
            let run = try box.start(["run", "-j", "2"])
            Thread.sleep(forTimeInterval: delay)
            run.signal(SIGKILL)
            _ = try run.wait()
            Thread.sleep(forTimeInterval: 0.2)  // orphaned commands finish their short sleeps

            let rerun = try box.labmake("run", "--json")
            #expect(rerun.status == 0, "after a kill at \(delay)s: \(rerun.stderr)")
            let done = try statuses(rerun.stdout)
            #expect(done.count == 30)
            #expect(done.values.allSatisfy { ["executed", "cached", "restored"].contains($0) })
            for branch in 0..<3 {
                let expected = (0..<10).map { "b\(branch)s\($0)\n" }.joined()
                #expect(box.read("out/b\(branch)s9.txt") == expected, "after a kill at \(delay)s")
            }
            #expect(try statuses(box.labmake("run", "--json").stdout).values.allSatisfy { $0 == "cached" })
        }
    }

    @Test("Ctrl-C stops the running command, exits 130, and the next run picks up")
    func ctrlC() throws {
        let box = try Sandbox(["labmake.yaml": slowChain])
        let run = try box.start(["run"])
        try box.waitFor("slow.started")
        let child = try #require(Int32(box.read("slow.pid")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
        run.signal(SIGINT)
        let result = try run.wait(timeout: 30)
        #expect(result.status == 130)
        #expect(result.stderr.contains("interrupted"))
        #expect(!isAlive(child), "the stage's command was stopped")
        #expect(!box.exists("slow.txt"))

        try box.write("go", "")
        let rerun = try box.labmake("run", "--json")
        #expect(try statuses(rerun.stdout) == ["fast": "cached", "slow": "executed", "after": "executed"])
    }

    @Test("a second run waits for the first; with --no-wait it fails at once and says who holds the lock")
    func workspaceLock() throws {
        let box = try Sandbox(["labmake.yaml": slowChain])
        let first = try box.start(["run"])
        try box.waitFor("slow.started")

        let refused = try box.labmake("run", "--no-wait")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("another labmake run (pid \(first.pid)) holds this workspace"))

        let second = try box.start(["run", "--json"])
        Thread.sleep(forTimeInterval: 0.3)
        try box.write("go", "")
        #expect(try first.wait().status == 0)
        let waited = try second.wait()
        #expect(waited.status == 0)
        #expect(waited.stderr.contains("waiting for another labmake run (pid \(first.pid))"))
        #expect(try statuses(waited.stdout) == ["fast": "cached", "slow": "cached", "after": "cached"])
    }
}
