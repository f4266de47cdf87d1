import Executors
import Foundation
import LabmakeTesting
import SystemIO
import Testing

/// Jobs on the real single-node cluster of `scripts/slurm-test-cluster` (two partitions, two fake GPUs).
@Suite("Slurm jobs", TestSlurmCluster.trait, .enabled(if: TestSlurmCluster.available, "the test Slurm cluster needs root"))
final class SlurmJobExecutorTests: Sendable {
    let folder: String
    let controller = SlurmCommands()

    init() throws {
        folder = NSTemporaryDirectory() + "labmake-slurm-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: folder) }

    func executor(_ options: SlurmOptions = SlurmOptions(pollInterval: 0.5), name: String = "lm-" + UUID().uuidString.prefix(8).lowercased(),
                  detaching: @escaping @Sendable () -> Bool = { false }) -> SlurmJobExecutor {
        SlurmJobExecutor(controller: controller, options: options, jobName: name, commentPrefix: "labmake:test:", isDetaching: detaching)
    }

    func request(_ command: String, _ job: String, timeout: Double? = nil, environment: [String: String] = [:]) -> JobRequest {
        JobRequest(name: job, process: ProcessRequest(command: command, workingDirectory: folder, environment: environment, timeout: timeout),
                   folder: folder + "/" + job, key: "key-" + job)
    }

    @Test("a job's output arrives line by line with its exit status, its environment and working directory; its node is reported")
    func exitStatus() throws {
        let slurm = executor()
        let job = try slurm.submit(request("echo one; echo \"$GREETING\"; pwd; printf 'no newline'; exit 3", "a", environment: ["GREETING": "it's me"]))
        let lines = Locked([String]())
        let placements = Locked([JobPlacement]())
        let end = slurm.watch(job, output: { line in lines.withLock { $0.append(line) } },
                              placed: { placement in placements.withLock { $0.append(placement) } })
        #expect(end == .exited(3))
        #expect(lines.withLock { $0 } == ["one", "it's me", folder, "no newline"])
        #expect(placements.withLock { $0 }.allSatisfy { $0.id == job.id })
        #expect(placements.withLock { $0 }.contains { $0.node == ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) })
    }

    @Test("the request's own timeout stops the job and says so")
    func requestTimeout() throws {
        let slurm = executor()
        let end = slurm.run(request("echo started; sleep 60", "slow", timeout: 1)) { _ in }
        #expect(end == .timedOut(1))
    }

    @Test("cancel ends the watch as cancelled; a job cancelled on the cluster ends with Slurm's reason")
    func cancellation() throws {
        let slurm = executor()
        let ours = try slurm.submit(request("echo tick; sleep 60", "ours"))
        let end = slurm.watch(ours) { [slurm] line in if line == "tick" { slurm.cancel(ours) } }
        #expect(end == .cancelled)

        let theirs = try slurm.submit(request("echo tick; sleep 60", "theirs"))
        let outside = slurm.watch(theirs) { [controller] line in if line == "tick" { try? controller.cancel([theirs.id]) } }
        guard case .endedByScheduler(let state, let reason) = outside else {
            Issue.record("expected the scheduler's end, got \(outside)")
            return
        }
        #expect(state == "CANCELLED")
        #expect(reason.contains("scancel"))
    }

    @Test("a job that can never start (more CPUs than the partition has) fails at once with the reason, and is cancelled")
    func hopeless() throws {
        let slurm = executor(SlurmOptions(cpus: 64, pollInterval: 0.5))
        let job = try slurm.submit(request("true", "big"))
        let end = slurm.watch(job) { _ in }
        guard case .failedToStart(let reason) = end else {
            Issue.record("expected a failure to start, got \(end)")
            return
        }
        #expect(reason.contains("PartitionConfig"))
        #expect(try controller.lookup(job.id)?.state == "CANCELLED")
    }

    @Test("a request Slurm refuses (a GPU count the cluster lacks) fails at submission with sbatch's words")
    func refused() throws {
        let slurm = executor(SlurmOptions(gpus: "3", pollInterval: 0.5))
        #expect { try slurm.submit(request("true", "gpus")) } throws: { "\($0)".contains("sbatch failed") }
    }

    @Test("each job granted a GPU sees its own in CUDA_VISIBLE_DEVICES, side by side")
    func gpuPlacement() throws {
        let slurm = executor(SlurmOptions(gpus: "1", pollInterval: 0.5))
        let jobs = try (0..<2).map { try slurm.submit(request("echo gpu=$CUDA_VISIBLE_DEVICES; sleep 2", "gpu\($0)")) }
        let seen = Locked([String]())
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            _ = slurm.watch(jobs[i]) { line in if line.hasPrefix("gpu=") { seen.withLock { $0.append(line) } } }
        }
        #expect(seen.withLock { $0 }.sorted() == ["gpu=0", "gpu=1"])
    }

    @Test("a later labmake attaches to a running job and to a finished one by the request, never submitting again")
    func attach() throws {
        let name = "lm-" + UUID().uuidString.prefix(8).lowercased()
        let first = executor(name: name)
        let running = request("for i in 1 2 3; do echo $i; sleep 0.5; done", "running")
        let finished = request("echo done", "finished")
        let runningJob = try first.submit(running)
        let finishedJob = try first.submit(finished)
        // The first labmake dies here; the finished job ends while nobody watches.
        while (try? String(contentsOfFile: finished.folder! + "/exit.json", encoding: .utf8)) == nil { Thread.sleep(forTimeInterval: 0.1) }

        let second = executor(name: name)
        let attachedRunning = try #require(second.attach(running))
        let attachedFinished = try #require(second.attach(finished))
        #expect(attachedRunning.id == runningJob.id)
        #expect(attachedFinished.id == finishedJob.id)
        let lines = Locked([String]())
        #expect(second.watch(attachedRunning) { line in lines.withLock { $0.append(line) } } == .exited(0))
        #expect(lines.withLock { $0 } == ["1", "2", "3"])
        #expect(second.watch(attachedFinished) { _ in } == .exited(0))

        // Another request in the same folder (other parameters: another key) is not the recorded job.
        var other = running
        other.key = "another"
        #expect(second.attach(other) == nil)
        // Nor is a job another experiment (another job name) recorded.
        #expect(executor().attach(running) == nil)
    }

    @Test("a labmake killed between sbatch and its record finds the job by its comment")
    func attachByComment() throws {
        let name = "lm-" + UUID().uuidString.prefix(8).lowercased()
        let first = executor(name: name)
        let job = request("sleep 1; echo late", "unrecorded")
        let submitted = try first.submit(job)
        // What the record holds when labmake dies right after sbatch returns.
        let record = job.folder! + "/job.json"
        let text = try String(contentsOfFile: record, encoding: .utf8).replacingOccurrences(of: "\"id\":\"\(submitted.id)\",", with: "")
        try text.write(toFile: record, atomically: true, encoding: .utf8)

        let second = executor(name: name)
        let attached = try #require(second.attach(job))
        #expect(attached.id == submitted.id)
        #expect(second.watch(attached) { _ in } == .exited(0))
    }

    @Test("a requeued job is still running: the watch goes on through its second attempt to its end")
    func requeue() throws {
        let slurm = executor()
        let job = try slurm.submit(request("echo attempt ${SLURM_RESTART_COUNT:-0}; [ \"${SLURM_RESTART_COUNT:-0}\" -ge 1 ] || sleep 60", "requeued"))
        let lines = Locked([String]())
        let end = slurm.watch(job) { line in
            lines.withLock { $0.append(line) }
            if line == "attempt 0" {
                // Requeue as preemption does, and skip Slurm's two-minute hold before the restart.
                let conf = "SLURM_CONF=" + TestSlurmCluster.configuration
                _ = self.shell("\(conf) scontrol requeue \(job.id) && sleep 1 && \(conf) scontrol update JobId=\(job.id) StartTime=now")
            }
        }
        #expect(end == .exited(0))
        #expect(lines.withLock { $0 } == ["attempt 0", "attempt 1"])
    }

    @Test("detaching ends the watch at once and leaves the job running on the cluster")
    func detach() throws {
        let detached = Locked(false)
        let slurm = executor(detaching: { detached.withLock { $0 } })
        let job = try slurm.submit(request("echo tick; sleep 30", "detached"))
        let end = slurm.watch(job) { line in if line == "tick" { detached.withLock { $0 = true } } }
        #expect(end == .detached)
        #expect(try controller.lookup(job.id)?.phase == .active)
        try controller.cancel([job.id])
    }

    @Test("a job past its Slurm time limit ends as TIMEOUT, with what to change")
    func slurmTimeLimit() throws {
        // Slurm checks limits about every 30 s and then gives KillWait: about 80 s for a one-minute limit.
        let slurm = executor(SlurmOptions(time: "1", pollInterval: 1))
        let end = slurm.run(request("echo started; sleep 300", "limit")) { _ in }
        guard case .endedByScheduler(let state, let reason) = end else {
            Issue.record("expected the scheduler's end, got \(end)")
            return
        }
        #expect(state == "TIMEOUT")
        #expect(reason.contains("slurm: time"))
    }

    @Test("the controller restarted mid-job: polls fail, then answer again; the job's end is still seen")
    func controllerRestart() throws {
        let slurm = executor(SlurmOptions(pollInterval: 0.5))
        let job = try slurm.submit(request("echo started; sleep 4; echo finished", "restart"))
        let lines = Locked([String]())
        let end = slurm.watch(job) { line in
            lines.withLock { $0.append(line) }
            guard line == "started" else { return }
            // Stop slurmctld by its PID, wait for it to go, and start it again.
            let pidFile = TestSlurmCluster.folder + "/slurmctld.pid"
            if let pid = (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(pid, SIGTERM)
                let deadline = Date().addingTimeInterval(20)
                while Date() < deadline, kill(pid, 0) == 0, !self.isZombie(pid) { Thread.sleep(forTimeInterval: 0.05) }
            }
            Thread.sleep(forTimeInterval: 1)  // polls meet no controller meanwhile
            try? TestSlurmCluster.script("up")
        }
        #expect(end == .exited(0))
        #expect(lines.withLock { $0 } == ["started", "finished"])
    }

    private func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] == "Z"
    }

    private func shell(_ command: String) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        try? process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
