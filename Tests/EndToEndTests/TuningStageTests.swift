import Foundation
import LabmakeTesting
import Testing

/// A trial that logs its number and parameters, and scores a * b; `slow` in the workspace makes
/// trial 3 wait until `go` exists.
let scoringTrial = """
    import json, os, sys, time
    p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
    n = os.environ["LABMAKE_TRIAL_NUMBER"]
    with open("runs.log", "a") as f: f.write(n + "\\n")
    if n == "3" and os.path.exists("slow"):
        open("trial3.started", "w").close()
        while not os.path.exists("go"): time.sleep(0.05)
    print(json.dumps({"default": p.get("a", 0.5) * p.get("b", 1)}))
    """

let tuningPipeline = """
    stages:
      tune:
        uses: tune
        with:
          search_space: search_space.json
          trial_command: python3 trial.py
          max_trials: 4
    """

let searchSpace = #"{"a": {"_type": "uniform", "_value": [0, 1]}, "b": {"_type": "choice", "_value": [1, 2, 3]}}"#

func jsonObject(_ text: String?) throws -> [String: Any] {
    let data = Data(try #require(text).utf8)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func jsonArray(_ text: String?) throws -> [[String: Any]] {
    let data = Data(try #require(text).utf8)
    return try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
}

@Suite("Tuning and sweep stages", .serialized)
struct TuningStageTests {
    @Test("a tune stage stores its trials; a rerun executes nothing; max_trials + 2 runs exactly 2 new trials")
    func tuneStage() throws {
        let box = try Sandbox(["labmake.yaml": tuningPipeline, "trial.py": scoringTrial, "search_space.json": searchSpace])
        let first = try box.labmake("run")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(box.read("runs.log")?.split(separator: "\n").count == 4)
        let trials = try jsonArray(box.read("tune/trials.json"))
        #expect(trials.count == 4)
        let best = try jsonObject(box.read("tune/best.json"))
        let bestMetric = try #require(best["metric"] as? Double)
        #expect(bestMetric == trials.compactMap { $0["metric"] as? Double }.max())
        #expect(first.stdout.contains("4/4 done"))

        let again = try box.labmake("run")
        #expect(again.status == 0)
        #expect(box.read("runs.log")?.split(separator: "\n").count == 4)

        let more = try box.labmake("run", "--set", "tune.max_trials=6")
        #expect(more.status == 0, "\(more.stderr)")
        #expect(box.read("runs.log")?.split(separator: "\n") == ["1", "2", "3", "4", "5", "6"])
        #expect(try jsonArray(box.read("tune/trials.json")).count == 6)

        let listed = try box.labmake("trials", "tune", "--csv")
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").count == 7)
    }

    @Test("labmake tune killed mid-trial resumes: finished trials kept, the unfinished one rerun, then the rest")
    func killedExperimentResumes() throws {
        let box = try Sandbox(["trial.py": scoringTrial, "search_space.json": searchSpace, "slow": ""])
        let arguments = ["tune", "--search-space", "search_space.json", "--trial-command", "python3 trial.py", "--max-trials", "5",
                         "--name", "killed"]
        let run = try box.start(arguments)
        try box.waitFor("trial3.started")
        run.signal(SIGKILL)
        _ = try run.wait()
        #expect(box.read("runs.log")?.split(separator: "\n") == ["1", "2", "3"])

        try box.write("go", "")
        let resumed = try box.start(arguments + ["--json"]).wait()
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Trials 1 and 2 are not rerun; 3 is, from the start; 4 and 5 are new.
        #expect(box.read("runs.log")?.split(separator: "\n") == ["1", "2", "3", "3", "4", "5"])
        let trials = try #require(try jsonObject(resumed.stdout)["trials"] as? [[String: Any]])
        #expect(trials.map { $0["status"] as? String } == Array(repeating: "SUCCEEDED", count: 5))
    }

    @Test("sweep, tune and train stages with built-in training: one-at-a-time, combined best, retraining the winner")
    func builtInTraining() throws {
        let pipeline = """
            settings: { seed: 1, jobs: 1 }
            params: { model: mlp, epochs: 1, batch_size: 64, initial_lr: 0.05, optimizer: sgd, augment: false }
            stages:
              data:
                uses: cifar10
                with: { path: \(TestArchives.digits), md5: \(TestArchives.digitsMD5), train_subset: 400, validation: 100 }
              sweep:
                uses: sweep
                with: { vary: { initial_lr: [0.01, 0.2], batch_size: [32] }, combine: [{ initial_lr: 0.1, batch_size: 128 }] }
              tune:
                uses: tune
                with:
                  search_space: { initial_lr: { _type: loguniform, _value: [0.01, 0.3] } }
                  max_trials: 3
                  assessor: medianstop
              retrain:
                uses: train
                with: { from: [sweep, tune], set: { epochs: 2 } }
            """
        let box = try Sandbox(["labmake.yaml": pipeline])
        let env = ["XDG_CACHE_HOME": box.root.path + "/cache"]
        let run = try box.labmake("run", environment: env, timeout: 600)
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")

        let sweep = try jsonArray(box.read("sweep/trials.json"))
        let labels = sweep.compactMap { $0["label"] as? String }
        #expect(labels.prefix(4) == ["baseline", "batch_size=32", "initial_lr=0.01", "initial_lr=0.2"])
        #expect(labels.contains("combination 1"))
        for trial in sweep { #expect((trial["intermediates"] as? [Double])?.count == 1) }
        let sweepBest = try jsonObject(box.read("sweep/best.json"))
        #expect((sweepBest["parameters"] as? [String: Any])?["model"] as? String == "mlp")
        #expect(try jsonArray(box.read("tune/trials.json")).count == 3)

        let config = try jsonObject(box.read("retrain/config.json"))
        let parameters = try #require(config["parameters"] as? [String: Any])
        #expect(parameters["epochs"] as? Int == 2)
        let winner = try #require(config["from"] as? [String: Any])
        let tuneBest = try jsonObject(box.read("tune/best.json"))
        let bestMetric = max(sweepBest["metric"] as? Double ?? 0, tuneBest["metric"] as? Double ?? 0)
        #expect(winner["metric"] as? Double == bestMetric)
        let metrics = try jsonObject(box.read("retrain/metrics.json"))
        #expect((metrics["epochs"] as? [Any])?.count == 2)
        #expect(box.exists("retrain/model.safetensors"))

        // Changing the baseline's learning rate reruns the sweep (and what follows) but not the data stage.
        let changed = try box.labmake("run", "--set", "initial_lr=0.02", "--json", environment: env, timeout: 600)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try statuses(changed.stdout)["data"] == "cached" || statuses(changed.stdout)["data"] == "up-to-date")
        #expect(try statuses(changed.stdout)["sweep"] == "executed")
    }

    @Test("labmake tune --model trains a built-in model per trial, reporting the accuracy of every epoch")
    func tuneBuiltInModel() throws {
        let box = try Sandbox(["space.json": #"{"initial_lr": {"_type": "loguniform", "_value": [0.01, 0.3]}}"#])
        let env = ["XDG_CACHE_HOME": box.root.path + "/cache"]
        let missing = try box.labmake("tune", "--search-space", "space.json", "--model", "mlp", environment: env)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--model trains on --data"))
        let run = try box.labmake("tune", "--search-space", "space.json", "--model", "mlp", "--data", TestArchives.digits, "--set", "epochs=2",
                                  "--set", "train_subset=300", "--max-trials", "2", "--json", environment: env, timeout: 600)
        #expect(run.status == 0, "\(run.stderr)")
        let trials = try #require(try jsonObject(run.stdout)["trials"] as? [[String: Any]])
        #expect(trials.map { $0["status"] as? String } == ["SUCCEEDED", "SUCCEEDED"])
        for trial in trials { #expect((trial["intermediates"] as? [Double])?.count == 2) }
        #expect(run.stderr.contains("2/2 done"))
    }

    @Test("options a stage cannot use are reported with file:line:col before anything runs")
    func badOptions() throws {
        let pipeline = """
            params: { model: mlp }
            stages:
              sweep:
                uses: sweep
                with: { vary: { learning_rate: [0.1] } }
              tune:
                uses: tune
                with: { tuner: tpee, search_space: missing.json, trial_command: "true" }
            """
        let box = try Sandbox(["labmake.yaml": pipeline])
        let run = try box.labmake("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains("labmake.yaml:5:"), "\(run.stderr)")
        #expect(run.stderr.contains("with.vary: unknown setting 'learning_rate'"))
        #expect(run.stderr.contains("with.tuner: unknown tuner 'tpee'; did you mean 'tpe'?"))
        #expect(run.stderr.contains("with.search_space: 'missing.json' is neither an existing file nor an output of any stage"))
    }
}
