import Executors
import LabmakeTesting
import SystemIO
import Testing

/// Slurm's commands as labmake calls them and reads their answers, against scripted answers.
@Suite("Slurm commands")
struct SlurmCommandsTests {
    @Test("sbatch's id is read from --parsable output, a cluster name after ';' dropped")
    func parsableID() throws {
        let launcher = FakeLauncher { command, output in
            guard command.hasPrefix("'sbatch'") else { return nil }
            output("4171;gpu-cluster")
            return 0
        }
        #expect(try SlurmCommands(launcher: launcher).submit(script: "/w/job.sh", arguments: ["--job-name=lm-1"]) == "4171")
        #expect(launcher.takeRan() == ["'sbatch' '--parsable' '--job-name=lm-1' '/w/job.sh'"])
    }

    @Test("no Slurm on this machine: sbatch's failure says where labmake must run")
    func noSlurm() {
        let launcher = FakeLauncher { _, output in
            output("/bin/sh: 1: sbatch: not found")
            return 127
        }
        #expect { try SlurmCommands(launcher: launcher).submit(script: "/w/job.sh", arguments: []) } throws: { error in
            "\(error)".contains("sbatch: not found") && "\(error)".contains("run labmake on the cluster's login node")
        }
    }

    @Test("a busy controller is retried, a refusal is not")
    func retries() throws {
        let calls = Locked(0)
        let busy = FakeLauncher { _, output in
            let n = calls.withLock { n -> Int in n += 1; return n }
            if n < 3 { output("sbatch: error: Batch job submission failed: Socket timed out on send/recv operation"); return 1 }
            output("12")
            return 0
        }
        #expect(try SlurmCommands(launcher: busy, retryDelays: [0, 0, 0]).submit(script: "/w/job.sh", arguments: []) == "12")
        #expect(calls.withLock { $0 } == 3)

        let refusals = Locked(0)
        let refusing = FakeLauncher { _, output in
            refusals.withLock { $0 += 1 }
            output("sbatch: error: Batch job submission failed: Requested node configuration is not available")
            return 1
        }
        #expect(throws: SlurmError.self) { try SlurmCommands(launcher: refusing, retryDelays: [0, 0]).submit(script: "/w/job.sh", arguments: []) }
        #expect(refusals.withLock { $0 } == 1)
    }

    @Test("squeue lines and scontrol records are read into states, nodes, comments and exit codes; states are classified")
    func parsing() throws {
        let launcher = FakeLauncher { command, output in
            if command.hasPrefix("'squeue'") {
                output("41|RUNNING|None|gpu07|labmake:ab12cd34:tune:k|with|bars")
                output("42|PENDING|PartitionConfig||labmake:ab12cd34:tune:k2")
                output("not a job line")
                return 0
            }
            if command.hasPrefix("'scontrol'") {
                output("JobId=43 JobName=lm-1 JobState=FAILED Reason=NonZeroExitCode ExitCode=3:0 NodeList=gpu02 Comment=labmake:x")
                return 0
            }
            return nil
        }
        let slurm = SlurmCommands(launcher: launcher)
        let queue = try slurm.queue(jobName: "lm-1")
        #expect(queue.map(\.id) == ["41", "42"])
        #expect(queue[0].node == "gpu07")
        #expect(queue[0].comment == "labmake:ab12cd34:tune:k|with|bars")
        #expect(queue[0].phase == .active)
        #expect(queue[1].phase == .hopeless)
        let failed = try #require(try slurm.lookup("43"))
        #expect(failed.exitCode == 3 && failed.signal == 0 && failed.phase == .finished)
        #expect(SlurmJobStatus(id: "1", state: "REQUEUED").phase == .active)
        #expect(SlurmJobStatus(id: "1", state: "PREEMPTED").phase == .active)
        #expect(SlurmJobStatus(id: "1", state: "UNKNOWN").phase == .active)
        #expect(SlurmJobStatus(id: "1", state: "CANCELLED+").phase == .finished)
        #expect(slurm.callCounts == ["squeue": 1, "scontrol": 1])
    }

    @Test("attach with the controller unreachable: a recorded job is watched, not submitted again; an unrecorded one is not guessed")
    func attachWithoutController() throws {
        struct Unreachable: SlurmController {
            func submit(script: String, arguments: [String]) throws -> String { throw SlurmError("unreachable") }
            func queue(jobName: String) throws -> [SlurmJobStatus] { throw SlurmError("unreachable") }
            func queue(commentPrefix: String) throws -> [SlurmJobStatus] { throw SlurmError("unreachable") }
            func lookup(_ id: String) throws -> SlurmJobStatus? { throw SlurmError("unreachable") }
            func cancel(_ ids: [String]) throws { throw SlurmError("unreachable") }
        }
        let files = MemoryFileSystem()
        let executor = SlurmJobExecutor(controller: Unreachable(), options: SlurmOptions(), jobName: "lm-1", commentPrefix: "labmake:w:s:",
                                        fileSystem: files)
        let request = JobRequest(name: "trial-1", process: ProcessRequest(command: "true", workingDirectory: "/"), folder: "/t/trial-1", key: "k1")
        files.write("/t/trial-1/job.json", #"{"comment":"labmake:w:s:k1","id":"7","name":"lm-1"}"#)
        #expect(executor.attach(request)?.id == "7")
        files.write("/t/trial-1/job.json", #"{"comment":"labmake:w:s:k1","name":"lm-1"}"#)
        #expect(executor.attach(request) == nil)
    }
}
