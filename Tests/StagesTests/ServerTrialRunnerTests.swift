import Foundation
import LabmakeTesting
import Stages
import SystemIO
import Testing
import Tuner

@Suite("Trial servers")
struct ServerTrialRunnerTests {
    @Test("a silent server without a timeout is named to the user after a minute, with what bounds it, and Ctrl-C still ends the wait")
    func silentServerIsMentioned() throws {
        let notices = Locked([String]())
        // Each reading of the clock moves it 30 s: the second poll round is a minute in.
        let runner = try ServerTrialRunner(command: "exec sleep 600", directory: FileManager.default.temporaryDirectory.path,
                                           isCancelled: { !notices.withLock { $0.isEmpty } },
                                           waiting: { line in notices.withLock { $0.append(line) } },
                                           clock: FakeClock(start: 0, step: 30))
        defer { runner.stop() }
        let trial = TrialRecord(number: 3, configuration: Configuration(values: ["x": .double(1)]), key: "k")
        #expect(throws: TrialCancelled.self) { try runner.run(trial, of: "e", report: { _ in true }) }
        let said = notices.withLock { $0 }
        #expect(said.count == 1, "\(said)")
        #expect(said.first?.contains("trial 3: the trial server") == true, "\(said)")
        #expect(said.first?.contains("--trial-timeout bounds each answer") == true, "\(said)")
    }
}
