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
