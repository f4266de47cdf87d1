import Foundation
import LabmakeTesting
import Testing

/// A trial that, like an NNI trial under Hyperband, trains for the `TRIAL_BUDGET` it is given: it
/// reports a result per unit of budget (the last is final) and logs the budget it ran.
let budgetTrial = """
    import json, os
    p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
    budget = p["TRIAL_BUDGET"]
    with open("budgets.log", "a") as f: f.write(str(budget) + "\\n")
    for epoch in range(1, int(budget) + 1):
        print(json.dumps({"default": (1 - (p["a"] - 0.3) ** 2) * (1 - 0.5 / epoch)}))
    """

@Suite("Multi-fidelity tuning (Hyperband, BOHB, the asha assessor)", .serialized)
struct MultiFidelityTuningTests {
    @Test("a hyperband stage hands command trials NNI's TRIAL_BUDGET, promotes the best third, takes the best at the largest budget and resumes")
    func commandTrials() throws {
        let pipeline = """
            stages:
              tune:
                uses: tune
                with:
                  search_space: { a: { _type: uniform, _value: [0, 1] } }
                  trial_command: python3 trial.py
                  tuner: hyperband
                  max_budget: 9
                  max_trials: 13
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "trial.py": budgetTrial])
        let run = try box.labmake("run")
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        #expect(run.stdout.contains("budgets 1, 3, 9 TRIAL_BUDGET (eta 3)"), "\(run.stdout)")
        let expected = Array(repeating: "1", count: 9) + Array(repeating: "3", count: 3) + ["9"]
        #expect(box.read("budgets.log")?.split(separator: "\n").map(String.init) == expected)
        let trials = try jsonArray(box.read("tune/trials.json"))
        let budgets = trials.map { ($0["parameters"] as? [String: Any])?["TRIAL_BUDGET"] as? Int }
        #expect(budgets == expected.map { Int($0) })
        // The three promoted to budget 3 are the best three at budget 1.
        let scores = trials.prefix(9).map { ($0["parameters"] as! [String: Any])["a"] as! Double }
        let promoted = trials[9..<12].map { ($0["parameters"] as! [String: Any])["a"] as! Double }
        #expect(Set(promoted) == Set(scores.sorted { abs($0 - 0.3) < abs($1 - 0.3) }.prefix(3)))
        #expect(trials[12]["intermediates"] as? [Double] != nil && (trials[12]["intermediates"] as! [Double]).count == 8)
        let best = try jsonObject(box.read("tune/best.json"))
        #expect((best["parameters"] as? [String: Any])?["TRIAL_BUDGET"] as? Int == 9)
        #expect(best["trial"] as? Int == 13)

        // Nothing changed: nothing runs. More trials: the next bracket (5 at budget 3, then 1 at 9).
        #expect(try box.labmake("run").status == 0)
        #expect(box.read("budgets.log")?.split(separator: "\n").count == 13)
        let more = try box.labmake("run", "--set", "tune.max_trials=19")
        #expect(more.status == 0, "\(more.stderr)")
        #expect(box.read("budgets.log")?.split(separator: "\n").suffix(6).map(String.init) == ["3", "3", "3", "3", "3", "9"])
    }

    @Test("labmake tune --tuner bohb with --max-budget passes fractional budgets as NNI's BOHB does")
    func bohbCommand() throws {
        let box = try Sandbox(["trial.py": budgetTrial, "space.json": #"{"a": {"_type": "uniform", "_value": [0, 1]}}"#])
        let run = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "python3 trial.py", "--tuner", "bohb",
                                  "--max-budget", "10", "--max-trials", "5", "--direction", "maximize", "--json")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("budgets 1.1111111111111112, 3.3333333333333335, 10 TRIAL_BUDGET"), "\(run.stderr)")
        let trials = try #require(try jsonObject(run.stdout)["trials"] as? [[String: Any]])
        #expect(trials.count == 5)
        #expect(trials.allSatisfy { $0["status"] as? String == "SUCCEEDED" })
    }

    @Test("a hyperband stage over built-in training gives each trial its epochs; best.json keeps the pipeline's epochs for retraining")
    func builtInEpochs() throws {
        let pipeline = """
            settings: { seed: 1, jobs: 1 }
            params: { model: mlp, epochs: 3, batch_size: 64, initial_lr: 0.05, optimizer: sgd, augment: false }
            stages:
              data:
                uses: cifar10
                with: { path: \(TestArchives.digits), md5: \(TestArchives.digitsMD5), train_subset: 300, validation: 100 }
              tune:
                uses: tune
                with:
                  search_space: { initial_lr: { _type: loguniform, _value: [0.01, 0.3] } }
                  tuner: hyperband
                  max_trials: 4
            """
        let box = try Sandbox(["labmake.yaml": pipeline])
        let env = ["XDG_CACHE_HOME": box.root.path + "/cache"]
        let run = try box.labmake("run", environment: env, timeout: 600)
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        #expect(run.stdout.contains("budgets 1, 3 epochs (eta 3)"), "\(run.stdout)")
        let trials = try jsonArray(box.read("tune/trials.json"))
        #expect(trials.map { ($0["parameters"] as? [String: Any])?["epochs"] as? Int } == [1, 1, 1, 3])
        #expect(trials.map { ($0["intermediates"] as? [Double])?.count } == [1, 1, 1, 3])
        let best = try jsonObject(box.read("tune/best.json"))
        #expect(best["trial"] as? Int == 4)
        #expect((best["parameters"] as? [String: Any])?["epochs"] as? Int == 3)
    }

    @Test("the asha assessor runs trials to the end until one finishes, then stops those that trail their bracket at a rung")
    func ashaAssessor() throws {
        // Nine results per trial (eight intermediate, R = 8); the further a from 0.3, the worse at every epoch.
        let trial = """
            import json, os
            p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
            for epoch in range(1, 10):
                print(json.dumps({"default": abs(p["a"] - 0.3) + 1 / epoch}))
            """
        let pipeline = """
            stages:
              tune:
                uses: tune
                with:
                  search_space: { a: { _type: choice, _value: [0.9, 0.3, 0.8, 0.2, 0.7] } }
                  trial_command: python3 trial.py
                  tuner: grid
                  direction: minimize
                  assessor: asha
                  max_trials: 5
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "trial.py": trial])
        let run = try box.labmake("run")
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let trials = try jsonArray(box.read("tune/trials.json"))
        // R = 8: brackets with rungs at 1 and 3 (trials 1–3) and at 3 (trials 4–5). 0.9 runs alone to the end; 0.3 leads
        // its bracket; 0.8 trails both at 1. 0.2 is first in its bracket; 0.7 trails it at 3.
        #expect(trials.map { $0["status"] as? String } == ["SUCCEEDED", "SUCCEEDED", "EARLY_STOPPED", "SUCCEEDED", "EARLY_STOPPED"])
        #expect(trials.map { ($0["intermediates"] as? [Double])?.count } == [8, 8, 1, 8, 3])
        let best = try jsonObject(box.read("tune/best.json"))
        #expect((best["parameters"] as? [String: Any])?["a"] as? Double == 0.3)
    }

    @Test("budget options on another tuner, and a space that tunes the budget itself, are refused with where and why")
    func badOptions() throws {
        let pipeline = """
            stages:
              tune:
                uses: tune
                with: { tuner: tpe, eta: 3, search_space: { a: { _type: uniform, _value: [0, 1] } }, trial_command: "true" }
            """
        let box = try Sandbox(["labmake.yaml": pipeline])
        let run = try box.labmake("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains("labmake.yaml:4:"), "\(run.stderr)")
        #expect(run.stderr.contains("with.eta: is for the hyperband and bohb tuners, not tpe"), "\(run.stderr)")

        try box.write("labmake.yaml", """
            stages:
              tune:
                uses: tune
                with:
                  tuner: hyperband
                  max_budget: 9
                  eta: 1
                  search_space: { a: { _type: uniform, _value: [0, 1] } }
                  trial_command: "true"
            """)
        let eta = try box.labmake("run")
        #expect(eta.status == 2)
        #expect(eta.stderr.contains("with.eta: must be a whole number ≥ 2, found 1"), "\(eta.stderr)")

        try box.write("labmake.yaml", """
            stages:
              tune:
                uses: tune
                with:
                  tuner: hyperband
                  search_space: { TRIAL_BUDGET: { _type: randint, _value: [1, 9] } }
                  trial_command: "true"
            """)
        let tuned = try box.labmake("run")
        #expect(tuned.status != 0)
        #expect((tuned.stdout + tuned.stderr).contains("the search space has 'TRIAL_BUDGET', which the multi-fidelity tuner sets"),
                "\(tuned.stdout)\n\(tuned.stderr)")
    }
}
