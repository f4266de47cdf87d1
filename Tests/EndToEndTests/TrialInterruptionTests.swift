import Foundation
import Testing

/// A trial that records its pid and its child's, then waits; its child ignores SIGTERM.
let stubbornTrial = """
    import os, subprocess, sys, time
    n = os.environ["LABMAKE_TRIAL_NUMBER"]
    child = subprocess.Popen(["sh", "-c", "trap '' TERM; sleep 60"])
    open("trial%s.pids" % n, "w").write("%d %d\\n" % (os.getpid(), child.pid))
    time.sleep(60)
    """

/// Whether a process is still running (a zombie that nobody reaps counts as gone).
func running(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(close, offsetBy: 2)] != "Z"
}

@Suite("Interrupted and runaway trials", .serialized)
struct TrialInterruptionTests {
    @Test("Ctrl-C during a tune stage stops its running trials and everything they started, and exits 130")
    func interruptTuneStage() throws {
        let pipeline = """
            stages:
              tune:
                uses: tune
                with:
                  search_space: { x: { _type: choice, _value: [1, 2] } }
                  trial_command: python3 trial.py
                  max_trials: 2
                  concurrency: 2
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "trial.py": stubbornTrial])
        let run = try box.start(["run"])
        try box.waitFor("trial1.pids")
        try box.waitFor("trial2.pids")
        run.signal(SIGINT)
        let result = try run.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        for n in 1...2 {
            let pids = (box.read("trial\(n).pids") ?? "").split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            #expect(pids.count == 2)
            let deadline = Date().addingTimeInterval(10)
            while pids.contains(where: running) && Date() < deadline { usleep(50_000) }
            for pid in pids { #expect(!running(pid), "trial \(n)'s process \(pid) outlived the interrupt") }
        }
    }

    @Test("labmake tune: a trial past trial_timeout is killed with its children and counted as failed; Ctrl-C stops the rest")
    func timeoutAndInterruptStandalone() throws {
        let box = try Sandbox(["trial.py": stubbornTrial, "space.json": #"{"x": {"_type": "choice", "_value": [1, 2, 3]}}"#])
        let timedOut = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "python3 trial.py", "--tuner", "grid",
                                       "--max-trials", "1", "--trial-timeout", "1", "--name", "slow", "--json", timeout: 60)
        let trials = try #require(try jsonObject(timedOut.stdout)["trials"] as? [[String: Any]])
        #expect(trials.first?["status"] as? String == "FAILED")
        #expect((trials.first?["error"] as? String)?.contains("timed out after 1 s") == true, "\(trials)")
        let pids = (box.read("trial1.pids") ?? "").split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(pids.count == 2)
        let killedBy = Date().addingTimeInterval(10)
        while pids.contains(where: running) && Date() < killedBy { usleep(50_000) }
        for pid in pids { #expect(!running(pid)) }

        try FileManager.default.removeItem(atPath: box.root.path + "/trial1.pids")
        let run = try box.start(["tune", "--search-space", "space.json", "--trial-command", "python3 trial.py", "--tuner", "grid",
                                 "--max-trials", "3", "--name", "interrupted"])
        try box.waitFor("trial1.pids")
        run.signal(SIGINT)
        let result = try run.wait(timeout: 30)
        #expect(result.status == 130, "\(result.stderr)")
        let second = (box.read("trial1.pids") ?? "").split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let deadline = Date().addingTimeInterval(10)
        while second.contains(where: running) && Date() < deadline { usleep(50_000) }
        for pid in second { #expect(!running(pid)) }
    }

    @Test("a trial server that exits while its child holds its output, or never answers, fails its trials in time and leaves no process")
    func misbehavingServers() throws {
        let exiting = """
            import json, subprocess, sys
            child = subprocess.Popen(["sleep", "600"])
            open("server-child.pid", "w").write(str(child.pid))
            sys.stdin.readline()
            sys.exit(0)
            """
        let silent = "import sys, time\nsys.stdin.readline()\ntime.sleep(600)\n"
        let box = try Sandbox(["exiting.py": exiting, "silent.py": silent, "space.json": #"{"x": {"_type": "uniform", "_value": [0, 1]}}"#])
        let first = try box.labmake("tune", "--search-space", "space.json", "--trial-server", "python3 exiting.py", "--max-trials", "2",
                                    "--name", "exiting", "--json", timeout: 60)
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        let trials = try #require(try jsonObject(first.stdout)["trials"] as? [[String: Any]])
        #expect(trials.allSatisfy { $0["status"] as? String == "FAILED" })
        #expect((trials.first?["error"] as? String)?.contains("the trial server exited") == true, "\(trials)")
        let child = try #require(Int32(box.read("server-child.pid") ?? ""))
        let deadline = Date().addingTimeInterval(10)
        while running(child) && Date() < deadline { usleep(50_000) }
        #expect(!running(child), "the server's child outlived the experiment")

        let second = try box.labmake("tune", "--search-space", "space.json", "--trial-server", "python3 silent.py", "--max-trials", "1",
                                     "--trial-timeout", "1", "--name", "silent", "--json", timeout: 60)
        let silentTrials = try #require(try jsonObject(second.stdout)["trials"] as? [[String: Any]])
        #expect((silentTrials.first?["error"] as? String)?.contains("did not answer within 1") == true, "\(silentTrials)")
    }
}
