import Foundation
import LabmakeTesting
import Testing

@Suite("Two labmake processes in one workspace", .serialized)
struct ConcurrentUseTests {
    @Test("two runs started together in a fresh workspace both succeed, and the stage runs once")
    func freshWorkspaceRace() throws {
        for _ in 0..<5 {
            let box = try Sandbox(["labmake.yaml": "stages:\n  a: {cmd: 'echo run >> runs.log; echo hi > a.txt', outs: [a.txt]}\n"])
            let first = try box.start(["run"])
            let second = try box.start(["run"])
            let (a, b) = (try first.wait(), try second.wait())
            #expect(a.status == 0, "\(a.stderr)")
            #expect(b.status == 0, "\(b.stderr)")
            #expect(box.read("runs.log") == "run\n")
        }
    }

    @Test("a second labmake tune waits for the first and reuses its trials instead of running them again")
    func concurrentExperiments() throws {
        let box = try Sandbox(["trial.py": scoringTrial, "search_space.json": searchSpace, "slow": ""])
        let arguments = ["tune", "--search-space", "search_space.json", "--trial-command", "python3 trial.py", "--max-trials", "4",
                         "--name", "shared", "--json"]
        let first = try box.start(arguments)
        try box.waitFor("trial3.started")
        let second = try box.start(arguments)
        try box.write("go", "")
        let (a, b) = (try first.wait(), try second.wait())
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        #expect(b.stderr.contains("waiting for another labmake run"), "\(b.stderr)")
        #expect(box.read("runs.log")?.split(separator: "\n").count == 4, "every trial ran once")
    }
}
