import Foundation
import LabmakeTesting
import Testing

/// A trial that reports three intermediate results and a final one, all from its parameters, and
/// records which GPU and Slurm job it ran under.
let reportingTrial = """
    import json, os, sys, time
    p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
    x = float(p["x"])
    with open("ran-%s.txt" % os.environ["LABMAKE_TRIAL_NUMBER"], "a") as f:
        f.write("%s %s\\n" % (os.environ.get("SLURM_JOB_ID", "-"), os.environ.get("CUDA_VISIBLE_DEVICES", "-")))
    for step in range(3):
        print(json.dumps({"default": x * (step + 1)}), flush=True)
        time.sleep(float(os.environ.get("TRIAL_SLEEP", "0")))
    if x == 3:
        sys.exit(3)
    print(json.dumps({"default": x * 10}))
    """

/// Pipelines and trials on the real single-node cluster of `scripts/slurm-test-cluster`.
@Suite("Pipelines on Slurm", TestSlurmCluster.trait, .enabled(if: TestSlurmCluster.available, "the test Slurm cluster needs root"))
struct SlurmPipelineTests {
    static func pipeline(executor: String, extra: String = "", maxTrials: Int = 4) -> String {
        """
        settings: { seed: 7, executor: \(executor), slurm: { poll_interval: 1\(extra) } }
        stages:
          tune:
            uses: tune
            with:
              search_space: { x: { _type: choice, _value: [1, 2, 3, 4] } }
              tuner: grid
              trial_command: python3 trial.py
              max_trials: \(maxTrials)
              concurrency: 4
          words:
            cmd: echo "$SLURM_JOB_ID" > words.txt
            outs: [words.txt]
        """
    }

    var environment: [String: String] { ["SLURM_CONF": TestSlurmCluster.configuration] }

    /// The trials of `tune` as `labmake trials tune --json` exports them, by trial number.
    func trials(_ box: Sandbox) throws -> [[String: Any]] {
        let listed = try box.labmake("trials", "tune", "--json", environment: environment)
        return try jsonArray(listed.stdout).sorted { ($0["trial"] as? Int ?? 0) < ($1["trial"] as? Int ?? 0) }
    }

    @Test("a tune stage on Slurm gives the same trials as on this machine: parameters, intermediate and final results, failures with their exit status")
    func sameResultsAsLocal() throws {
        let local = try Sandbox(["labmake.yaml": Self.pipeline(executor: "local"), "trial.py": reportingTrial])
        let slurm = try Sandbox(["labmake.yaml": Self.pipeline(executor: "slurm"), "trial.py": reportingTrial])
        let localRun = try local.labmake("run", environment: environment, timeout: 120)
        let slurmRun = try slurm.labmake("run", environment: environment, timeout: 180)
        #expect(localRun.status == 0, "\(localRun.stderr)")
        #expect(slurmRun.status == 0, "\(slurmRun.stderr)")

        let onThisMachine = try trials(local), onCluster = try trials(slurm)
        #expect(onCluster.count == 4)
        for key in ["parameter", "value", "intermediate", "status", "trialJobId"] {
            #expect(onCluster.map { "\($0[key] ?? "nil")" } == onThisMachine.map { "\($0[key] ?? "nil")" }, "\(key)")
        }
        let failed = try #require(onCluster.first { ($0["status"] as? String) == "FAILED" })
        #expect((failed["error"] as? String)?.contains("exit status 3") == true, "\(failed)")
        // Each trial ran as a job of its own, which the trials say.
        let jobs = onCluster.compactMap { $0["job"] as? String }
        #expect(Set(jobs).count == 4)
        #expect(onCluster.allSatisfy { ($0["node"] as? String)?.isEmpty == false })
        #expect(onThisMachine.allSatisfy { $0["job"] == nil })
        for n in 1...4 { #expect(slurm.read("ran-\(n).txt")?.split(separator: " ").first.map(String.init).map(jobs.contains) == true) }
        // Each trial's job is named in the stage's output once, with the first state seen (pending, or already over on a busy machine).
        let log = try slurm.labmake("log", "tune", environment: environment)
        #expect(log.stdout.contains("trial 1: Slurm job \(jobs[0]) "), "\(log.stdout)")
        let listing = try slurm.labmake("trials", "tune", environment: environment)
        #expect(listing.stdout.contains("job \(jobs[0]) COMPLETED on "), "\(listing.stdout)")

        // The command stage ran as a job too, and its output is cached like any other.
        #expect(Int(slurm.read("words.txt")?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") != nil)
        #expect(local.read("words.txt")?.trimmingCharacters(in: .whitespacesAndNewlines) == "")

        // The executor is not part of any key: the same pipeline on this machine reuses everything.
        try slurm.write("labmake.yaml", Self.pipeline(executor: "local"))
        let again = try slurm.labmake("run", environment: environment)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(!again.stdout.contains("running") || again.stdout.contains("up to date"), "\(again.stdout)")
        #expect(try trials(slurm).map { "\($0["value"] ?? "nil")" } == onCluster.map { "\($0["value"] ?? "nil")" })
    }

    @Test("SIGKILL of labmake mid-experiment, then a rerun: every job is re-attached or harvested, none is submitted twice, the results are the same")
    func killedAndRerun() throws {
        let box = try Sandbox(["labmake.yaml": Self.pipeline(executor: "slurm"), "trial.py": reportingTrial])
        var env = environment
        env["TRIAL_SLEEP"] = "1.5"
        let run = try box.start(["run"], environment: env)
        for n in 1...4 { try box.waitFor("ran-\(n).txt", timeout: 60) }
        run.signal(SIGKILL)
        _ = try? run.wait(timeout: 10)

        let rerun = try box.labmake("run", environment: env, timeout: 180)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let trials = try trials(box)
        #expect(trials.map { $0["status"] as? String } == ["SUCCEEDED", "SUCCEEDED", "FAILED", "SUCCEEDED"])
        #expect(trials.map { $0["value"] as? String } == [#"{"default":10}"#, #"{"default":20}"#, nil, #"{"default":40}"#], "\(trials)")
        // The failed trial's last metric line was its final result to be: two intermediate results.
        #expect(trials.map { ($0["intermediate"] as? [String])?.count } == [3, 3, 2, 3])
        // Each trial ran exactly once: one line per trial, written by its one job, and Slurm knows of four jobs of the stage.
        for n in 1...4 { #expect(box.read("ran-\(n).txt")?.split(separator: "\n").count == 1, "trial \(n) ran twice") }
        let record = try #require(box.find("job.json").first { $0.contains("trial-1") })
        let jobName = try #require(try jsonObject(box.read(record))["name"] as? String)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/squeue")
        process.arguments = ["-h", "--me", "-t", "all", "-n", jobName, "-o", "%i"]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let listed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(listed.split(separator: "\n").count == 4, "jobs of the stage: \(listed)")
    }

    @Test("Ctrl-C detaches from running trials and says how to re-attach; labmake cancel cancels them")
    func interruptAndCancel() throws {
        let box = try Sandbox(["labmake.yaml": Self.pipeline(executor: "slurm"), "trial.py": reportingTrial])
        var env = environment
        env["TRIAL_SLEEP"] = "30"
        let run = try box.start(["run"], environment: env)
        for n in 1...4 { try box.waitFor("ran-\(n).txt", timeout: 60) }
        run.signal(SIGINT)
        let interrupted = try run.wait(timeout: 30)
        #expect(interrupted.status == 130, "\(interrupted.stderr)")
        #expect((interrupted.stdout + interrupted.stderr).contains("labmake cancel tune"), "\(interrupted.stdout)\n\(interrupted.stderr)")

        let cancelled = try box.labmake("cancel", "tune", environment: environment)
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(cancelled.stdout.split(separator: "\n").filter { $0.hasPrefix("cancelled Slurm job") }.count == 4, "\(cancelled.stdout)")
        let none = try box.labmake("cancel", environment: environment)
        #expect(none.stdout.contains("no Slurm job of this pipeline is pending or running"), "\(none.stdout)")
        let unknown = try box.labmake("cancel", "tnue", environment: environment)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'tune'"), "\(unknown.stderr)")
    }

    @Test("built-in training trials (labmake trial-exec) and the retraining stage (labmake train-exec) on Slurm give the same accuracies as on this machine")
    func builtInTraining() throws {
        func pipeline(_ executor: String) -> String {
            """
            settings: { seed: 3, jobs: 1, device: cpu, executor: \(executor), slurm: { poll_interval: 1 } }
            params: { model: mlp, epochs: 2, batch_size: 64, initial_lr: 0.05, optimizer: sgd, augment: false }
            stages:
              data:
                uses: cifar10
                with: { path: \(TestArchives.digits), md5: \(TestArchives.digitsMD5), train_subset: 300, validation: 100 }
              tune:
                uses: tune
                with:
                  search_space: { initial_lr: { _type: choice, _value: [0.02, 0.2] } }
                  tuner: grid
                  max_trials: 2
                  concurrency: 2
              retrain:
                uses: train
                with: { from: [tune], set: { epochs: 1 } }
            """
        }
        let local = try Sandbox(["labmake.yaml": pipeline("local")])
        let slurm = try Sandbox(["labmake.yaml": pipeline("slurm")])
        let localRun = try local.labmake("run", environment: ["XDG_CACHE_HOME": local.root.path + "/cache"], timeout: 300)
        var env = environment
        env["XDG_CACHE_HOME"] = slurm.root.path + "/cache"
        let slurmRun = try slurm.labmake("run", environment: env, timeout: 300)
        #expect(localRun.status == 0, "\(localRun.stderr)")
        #expect(slurmRun.status == 0, "\(slurmRun.stderr)\n\(slurmRun.stdout)")
        let onThisMachine = try trials(local), onCluster = try trials(slurm)
        #expect(onCluster.count == 2)
        #expect(onCluster.allSatisfy { $0["status"] as? String == "SUCCEEDED" && $0["job"] != nil }, "\(onCluster)")
        for key in ["parameter", "value", "intermediate", "key"] {
            #expect(onCluster.map { "\($0[key] ?? "nil")" } == onThisMachine.map { "\($0[key] ?? "nil")" }, "\(key)")
        }
        // The retraining ran as a job too, with the same result and outputs.
        let log = try slurm.labmake("log", "retrain", environment: env)
        #expect(log.stdout.contains("Slurm job"), "\(log.stdout)")
        #expect(log.stdout.contains("epoch 1/1"), "\(log.stdout)")
        let localMetrics = try jsonObject(local.read("retrain/metrics.json"))
        let clusterMetrics = try jsonObject(slurm.read("retrain/metrics.json"))
        #expect(clusterMetrics["final_accuracy"] as? Double == localMetrics["final_accuracy"] as? Double)
        #expect(slurm.read("retrain/config.json") == local.read("retrain/config.json"))
        #expect(slurm.exists("retrain/model.safetensors"))
    }

    @Test("a built-in training trial requeued mid-way, as preemption requeues it, resumes from its checkpoint: each epoch reported once, the local result")
    func requeuedTrainingResumes() throws {
        func pipeline(_ executor: String) -> String {
            """
            settings: { seed: 5, device: cpu, executor: \(executor), slurm: { poll_interval: 1 } }
            params: { model: mlp, epochs: 4, batch_size: 32, initial_lr: 0.05, optimizer: sgd, augment: false }
            stages:
              data:
                uses: cifar10
                with: { path: \(TestArchives.digits), md5: \(TestArchives.digitsMD5), train_subset: 600, validation: 100 }
              tune:
                uses: tune
                with:
                  search_space: { initial_lr: { _type: choice, _value: [0.05] } }
                  tuner: grid
                  max_trials: 1
            """
        }
        let local = try Sandbox(["labmake.yaml": pipeline("local")])
        let localRun = try local.labmake("run", environment: ["XDG_CACHE_HOME": local.root.path + "/cache"], timeout: 300)
        #expect(localRun.status == 0, "\(localRun.stderr)")

        let box = try Sandbox(["labmake.yaml": pipeline("slurm")])
        var env = environment
        env["XDG_CACHE_HOME"] = box.root.path + "/cache"
        let run = try box.start(["run"], environment: env)
        // Once the first epoch is reported, requeue the job and skip Slurm's two-minute hold.
        var output: String?
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            output = box.find("attempt-0.out").first
            if let output, box.read(output)?.contains("PERIODICAL") == true { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let attempt = try #require(output)
        let folder = (attempt as NSString).deletingLastPathComponent
        let id = try #require(try jsonObject(box.read(folder + "/job.json"))["id"] as? String)
        let conf = "SLURM_CONF=" + TestSlurmCluster.configuration
        _ = try box.run("\(conf) scontrol requeue \(id) && sleep 1 && \(conf) scontrol update JobId=\(id) StartTime=now")
        let result = try run.wait(timeout: 300)
        #expect(result.status == 0, "\(result.stderr)")

        #expect(box.exists(folder + "/attempt-1.out"), "the job was not requeued")
        let onCluster = try trials(box), onThisMachine = try trials(local)
        #expect(onCluster.first?["status"] as? String == "SUCCEEDED", "\(onCluster)")
        #expect((onCluster.first?["intermediate"] as? [String])?.count == 4, "\(onCluster)")
        #expect("\(onCluster.first?["value"] ?? "nil")" == "\(onThisMachine.first?["value"] ?? "nil")")
        #expect("\(onCluster.first?["intermediate"] ?? "nil")" == "\(onThisMachine.first?["intermediate"] ?? "nil")")
    }

    @Test("GPUs asked for in slurm: each trial trains on the GPU Slurm granted it")
    func gpuPlacement() throws {
        let box = try Sandbox(["labmake.yaml": Self.pipeline(executor: "slurm", extra: ", gpus: 1", maxTrials: 2), "trial.py": reportingTrial])
        var env = environment
        env["TRIAL_SLEEP"] = "1"
        let run = try box.labmake("run", environment: env, timeout: 180)
        #expect(run.status == 0, "\(run.stderr)")
        let gpus = (1...2).compactMap { box.read("ran-\($0).txt")?.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) }
        #expect(gpus.sorted() == ["0", "1"])
    }
}
