import Executors
import Foundation
import SystemIO
import Testing

@Suite("Local jobs")
struct LocalJobExecutorTests {
    let executor = LocalJobExecutor(launcher: LocalProcessLauncher(gracePeriod: 0.5))

    @Test("submit, then watch: every output line in order, and the exit status")
    func submitAndWatch() throws {
        let job = try executor.submit(JobRequest(name: "trial-1", process: ProcessRequest(command: "seq 5; exit 4", workingDirectory: "/")))
        let lines = Locked([String]())
        let end = executor.watch(job) { line in lines.withLock { $0.append(line) } }
        #expect(end == .exited(4))
        #expect(lines.withLock { $0 } == ["1", "2", "3", "4", "5"])
        #expect(executor.attach(JobRequest(name: "trial-1", process: ProcessRequest(command: "seq 5; exit 4", workingDirectory: "/"))) == nil)
    }

    @Test("cancel from the watcher's callback ends the job as cancelled")
    func cancel() throws {
        let job = try executor.submit(JobRequest(name: "trial-2", process: ProcessRequest(command: "while true; do echo tick; sleep 0.01; done", workingDirectory: "/")))
        let end = executor.watch(job) { [executor] _ in executor.cancel(job) }
        #expect(end == .cancelled)
    }

    @Test("a timeout is the job's end, with the limit")
    func timeout() {
        let end = executor.run(JobRequest(name: "slow", process: ProcessRequest(command: "sleep 30", workingDirectory: "/", timeout: 0.3))) { _ in }
        #expect(end == .timedOut(0.3))
        #expect(end.summary == "timed out after 0.3 s")
    }

    @Test("a job of an earlier labmake cannot be watched: it is lost, never taken for a success")
    func unknownJob() {
        #expect(executor.watch(JobHandle(id: "local-1-1", name: "x")) { _ in } == .lost("no job local-1-1 on this machine"))
    }
}
