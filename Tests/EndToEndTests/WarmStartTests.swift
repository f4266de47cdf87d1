import Foundation
import LabmakeTesting
import Testing

/// Experiments that start from trials measured before: a sweep's, or an earlier experiment's.
@Suite("Warm starts", .serialized)
struct WarmStartTests {
    @Test("a tune stage warm-starts from a sweep's trials inside its space, run as its own would run; the count of each kind is said")
    func warmStart() throws {
        let pipeline = """
            params: { a: 0.5, b: 1, epochs: 3 }
            stages:
              sweep:
                uses: sweep
                with: { trial_command: python3 trial.py, vary: { a: [0.1, 0.9], b: [2, 5], epochs: [1] } }
              tune:
                uses: tune
                with: { search_space: search_space.json, trial_command: python3 trial.py, max_trials: 4, warm_start: [sweep] }
            """
        let box = try Sandbox(["labmake.yaml": pipeline, "trial.py": scoringTrial, "search_space.json": searchSpace])
        let run = try box.labmake("run")
        #expect(run.status == 0, "\(run.stderr)")
        // baseline, a=0.1, a=0.9 and b=2 are points of the space; b=5 and the combined best (a=0.9, b=5) are not: 5 is not
        // an option; epochs=1 measured something else.
        #expect(run.stdout.contains("tune: warm start: 4 of 7 trials of sweep (left out: 1 with another epochs, 2 outside the search space)"),
                "\(run.stdout)")
        #expect(try jsonArray(box.read("tune/trials.json")).count == 4)
        // The warm trials are the stage's input: a sweep that changes reruns the tune stage.
        try box.write("labmake.yaml", pipeline.replacingOccurrences(of: "a: [0.1, 0.9]", with: "a: [0.2, 0.9]"))
        let changed = try box.labmake("run", "--json")
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(try statuses(changed.stdout)["tune"] == "executed")

        let wrong = try Sandbox(["labmake.yaml": pipeline.replacingOccurrences(of: "max_trials: 4,", with: "max_trials: 4, direction: minimize,"),
                                 "trial.py": scoringTrial, "search_space.json": searchSpace])
        let refused = try wrong.labmake("run")
        #expect(refused.status == 1)
        #expect((refused.stdout + refused.stderr).contains("with.warm_start: sweep maximizes its metric and this stage minimizes"), "\(refused.stdout)")
    }

    @Test("labmake tune --warm-start takes an earlier experiment's trials: a configuration measured there is not run again")
    func commandLine() throws {
        let space = #"{"b": {"_type": "choice", "_value": [1, 2, 3]}}"#
        let box = try Sandbox(["trial.py": scoringTrial, "space.json": space])
        let first = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "python3 trial.py", "--tuner", "grid",
                                    "--max-trials", "3", "--name", "grid")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(box.read("runs.log")?.split(separator: "\n").count == 3)
        // The space holds three configurations, all measured: the warm-started tuner proposes only those.
        let warm = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "python3 trial.py",
                                   "--max-trials", "3", "--warm-start", "grid", "--json")
        #expect(warm.status == 0, "\(warm.stderr)")
        #expect(warm.stderr.contains("warm start: 3 of 3 trials of grid"), "\(warm.stderr)")
        #expect(box.read("runs.log")?.split(separator: "\n").count == 3, "a measured configuration ran again")
        let unknown = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "python3 trial.py", "--warm-start", "gird")
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("--warm-start gird: no experiment of that name in this workspace; did you mean 'grid'?"), "\(unknown.stderr)")
    }
}
