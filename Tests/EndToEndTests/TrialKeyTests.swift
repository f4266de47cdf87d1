import Foundation
import LabmakeTesting
import Testing

/// A command trial's key covers the code and data it runs, as the stage's key does: editing the
/// trial's script runs its trials again instead of reusing results the new code would not give.
@Suite("Command trials are keyed on what they read", .serialized)
struct TrialKeyTests {
    static func objective(scale: Int) -> String {
        """
        import json, os, sys
        p = json.load(open(os.environ["LABMAKE_TRIAL_PARAMETERS"]))
        with open("runs.log", "a") as f: f.write("run\\n")
        print(json.dumps({"default": \(scale) * p["x"]}))
        """
    }

    static let stageKinds: [(kind: String, options: String)] = [
        ("tune", "search_space: { x: { _type: choice, _value: [1, 2, 3] } }\n      tuner: grid\n      max_trials: 3"),
        ("sweep", "vary: { x: [2, 3] }"),
    ]

    static func pipeline(kind: String, options: String) -> String {
        """
        params: { x: 1 }
        stages:
          search:
            uses: \(kind)
            deps: [obj.py]
            with:
              trial_command: python3 obj.py
              direction: maximize
              \(options)
        """
    }

    @Test("editing a sweep's or tune's trial script reruns its trials, with run and with --force", arguments: [false, true])
    func editedScriptRerunsTrials(force: Bool) throws {
        for (kind, options) in Self.stageKinds {
            let box = try Sandbox(["labmake.yaml": Self.pipeline(kind: kind, options: options), "obj.py": Self.objective(scale: 1)])
            let first = try box.labmake("run")
            #expect(first.status == 0, "\(kind): \(first.stderr)")
            #expect(try jsonObject(box.read("search/best.json"))["metric"] as? Double == 3, "\(kind)")
            let runs = box.read("runs.log")?.split(separator: "\n").count ?? 0
            #expect(runs == 3, "\(kind)")

            try box.write("obj.py", Self.objective(scale: 100))
            let status = try box.labmake("status")
            #expect(status.stdout.contains("obj.py"), "\(kind): \(status.stdout)")
            let second = try force ? box.labmake("run", "--force") : box.labmake("run")
            #expect(second.status == 0, "\(kind): \(second.stderr)")
            #expect(try jsonObject(box.read("search/best.json"))["metric"] as? Double == 300, "\(kind): trials were reused")
            #expect(box.read("runs.log")?.split(separator: "\n").count == 2 * runs, "\(kind)")

            // Unchanged code and data: a forced run reuses every trial.
            let third = try box.labmake("run", "--force")
            #expect(third.status == 0, "\(kind): \(third.stderr)")
            #expect(box.read("runs.log")?.split(separator: "\n").count == 2 * runs, "\(kind)")
        }
    }
}
