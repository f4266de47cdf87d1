import Foundation
import LabmakeTesting
import Testing


let nniConfigV2 = """
    experimentName: nni-lab
    searchSpaceFile: search_space.json
    trialCommand: python3 main.py
    trialCodeDirectory: .
    trialConcurrency: 1
    maxTrialNumber: 6
    tuner:
      name: TPE
      classArgs:
        optimize_mode: maximize
        seed: 3
    trainingService:
      platform: local
      useActiveGpu: false
    logLevel: info
    """

let nniConfigV1 = """
    authorName: default
    experimentName: nni-lab
    trialConcurrency: 1
    maxExecDuration: 1h
    maxTrialNum: 6
    trainingServicePlatform: local
    searchSpacePath: search_space.json
    useAnnotation: false
    tuner:
      builtinTunerName: TPE
      classArgs:
        optimize_mode: maximize
        seed: 3
    trial:
      command: python3 main.py
      codeDir: .
      gpuNum: 0
    """

/// An unmodified NNI experiment (trial script, search space, config file) run by labmake.
@Suite("NNI experiments under labmake", .serialized)
struct NNIExperimentTests {
    func experimentFiles(_ config: String) -> [String: String] {
        ["exp/nni/__init__.py": miniNNI, "exp/nni/utils.py": miniNNIUtils, "exp/main.py": nniTrial, "exp/search_space.json": nniSpace,
         "exp/config.yml": config]
    }

    /// Each recorded result equals what the trial script computes for the parameters it received: asked
    /// of the script itself (Python parses and prints floats exactly), compared as text.
    func expectComputed(_ export: String, in box: Sandbox, stopped allowed: Bool = false) throws {
        let rows = try jsonArray(export)
        try box.write("exp/rows.json", export)
        try box.write("exp/expected.py", """
            import json, main
            rows = json.load(open('rows.json'))
            with open('expected.json', 'w') as f:
                json.dump([[repr(main.accuracy(dict(epochs=5, **{k: v for k, v in r['parameter'].items()}), e)) for e in range(5)] for r in rows], f)
            """)
        #expect(try box.run("cd exp && python3 expected.py").status == 0)
        let text = try #require(box.read("exp/expected.json"))
        let computed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]])
        for (row, expected) in zip(rows, computed) {
            let intermediates = try #require(row["intermediate"] as? [String])
            let status = row["status"] as? String
            if status == "SUCCEEDED" {
                #expect(intermediates == expected, "\(row)")
                #expect(row["value"] as? String == expected.last, "\(row)")
            } else {
                #expect(allowed && status == "EARLY_STOPPED", "\(row)")
                #expect(intermediates == Array(expected.prefix(intermediates.count)) && !intermediates.isEmpty, "\(row)")
            }
        }
    }

    @Test("labmake tune --nni-config (v2, then v1): every trial receives its parameters; every result equals the script's")
    func tuneWithConfig() throws {
        for config in [nniConfigV2, nniConfigV1] {
            let box = try Sandbox(experimentFiles(config))
            let run = try box.labmake("tune", "--nni-config", "exp/config.yml", timeout: 300)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("tpe tuner, maximize (the tuner's optimize_mode)"), "\(run.stderr)")
            #expect(run.stderr.contains("ignored (no effect in labmake)"))
            let listed = try box.labmake("trials", "--json")
            let name = try #require(try jsonArray(listed.stdout).first?["experiment"] as? String)
            #expect(name.hasPrefix("nni-lab#"))
            let export = try box.labmake("trials", name, "--json").stdout
            let rows = try jsonArray(export)
            #expect(rows.count == 6)
            #expect(rows.allSatisfy { $0["status"] as? String == "SUCCEEDED" }, "\(rows)")
            try expectComputed(export, in: box)
            // The trial saw its own parameters: it prints them into its trial.log, as NNI's SDK arranges.
            let folder = try #require(box.find("trial.log").first { $0.contains("/trial-1/") })
            let log = try #require(box.read(folder))
            let first = try #require(rows.first?["parameter"] as? [String: Any])
            #expect(log.contains("'optimizer': '\(first["optimizer"]!)', 'batch_size': \(first["batch_size"]!)"), "\(log)")
            let shown = try box.labmake("log", "nni-lab", "--trial", "1")
            #expect(shown.status == 0 && shown.stdout.contains("trial.log <==") && shown.stdout.contains("PRINT epoch 4 accuracy"), "\(shown)")
            let csv = try box.labmake("trials", name, "--csv").stdout.split(separator: "\n")
            #expect(csv.first == "batch_size,initial_lr,optimizer,reward,trialJobId,intermediate,trial,status,seconds,error")
        }
    }

    @Test("a pipeline's tune stage with nni_config and medianstop: results equal the script's; a stopped trial keeps its last value")
    func stage() throws {
        var files = experimentFiles(nniConfigV2)
        files["labmake.yaml"] = """
            stages:
              tune:
                uses: tune
                deps: [exp/main.py, exp/search_space.json]
                with: { nni_config: exp/config.yml, assessor: medianstop, assessor_start_step: 2, max_trials: 8 }
            """
        let box = try Sandbox(files)
        let run = try box.labmake("run", timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("medianstop assessor from step 2"), "\(run.stdout)")
        #expect(!run.stdout.contains("is not in deps"), "\(run.stdout)")
        let export = try box.labmake("trials", "tune", "--json").stdout
        #expect(try jsonArray(export).count == 8)
        try expectComputed(export, in: box, stopped: true)
        let again = try box.labmake("run")
        #expect(again.status == 0 && again.stdout.contains("up to date"), "\(again.stdout)")
    }

    @Test("a tune stage whose NNI config names a search space outside its deps says that editing it will not rerun the stage")
    func undeclaredSpace() throws {
        var files = experimentFiles(nniConfigV2)
        files["labmake.yaml"] = "stages:\n  tune:\n    uses: tune\n    with: { nni_config: exp/config.yml, max_trials: 1 }\n"
        let box = try Sandbox(files)
        let run = try box.labmake("run", timeout: 300)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("search_space.json, the search space of exp/config.yml, is not in deps"), "\(run.stdout)")
    }

    @Test("a trial that exits 0 without a final result fails with its trial.log; no success means exit 1")
    func noFinal() throws {
        var files = experimentFiles(nniConfigV2)
        files["exp/main.py"] = """
            import nni
            params = nni.get_next_parameter()
            nni.report_intermediate_result(0.5)
            print('forgot the final result for', params['optimizer'])
            """
        let box = try Sandbox(files)
        let run = try box.labmake("tune", "--nni-config", "exp/config.yml", "--max-trials", "2", timeout: 300)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("no trial succeeded"))
        #expect(run.stderr.contains("never called nni.report_final_result()"), "\(run.stderr)")
        #expect(run.stderr.contains("PRINT forgot the final result for"), "\(run.stderr)")
    }

    @Test("a corrupt metrics file or a metric that is not a number fails the trial with what is wrong, and the rest run")
    func hostileMetrics() throws {
        let corrupt = #"mkdir -p $NNI_SYS_DIR/.nni && printf 'XX000002{}' >> $NNI_SYS_DIR/.nni/metrics && sleep 30"#
        let word = #"printf 'ME000094{"parameter_id": 0, "trial_job_id": "t", "type": "FINAL", "sequence": 0, "value": "\"high\""}\n' >> $NNI_SYS_DIR/.nni/metrics"#
        let box = try Sandbox(["space.json": #"{"x": {"_type": "choice", "_value": [1]}}"#, "corrupt.sh": corrupt, "word.sh": word])
        let started = Date()
        let first = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "sh corrupt.sh", "--max-trials", "1", "--name", "c")
        #expect(first.status == 1 && first.stderr.contains("frame of unknown type \"XX\""), "\(first.stderr)")
        #expect(Date().timeIntervalSince(started) < 25, "the trial is stopped as soon as its metrics are unreadable")
        let second = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "sh word.sh", "--max-trials", "1", "--name", "w")
        #expect(second.status == 1 && second.stderr.contains("metric must be a number or {\"default\": number}"), "\(second.stderr)")
    }

    @Test("NNISDK_MEb lines on stdout are NNI records too; trials that print numbers keep working")
    func stdoutProtocols() throws {
        let framed = #"printf "NNISDK_MEb'{\"parameter_id\": 0, \"trial_job_id\": \"%s\", \"type\": \"PERIODICAL\", \"sequence\": 0, \"value\": \"0.25\"}'\nNNISDK_MEb'{\"parameter_id\": 0, \"trial_job_id\": \"%s\", \"type\": \"FINAL\", \"sequence\": 0, \"value\": \"{\\\\\"default\\\\\": 0.75, \\\\\"loss\\\\\": 1.5}\"}'\n" $NNI_TRIAL_JOB_ID $NNI_TRIAL_JOB_ID"#
        let box = try Sandbox(["space.json": #"{"x": {"_type": "choice", "_value": [1]}}"#, "framed.sh": framed])
        let run = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "sh framed.sh", "--max-trials", "1", "--name", "framed")
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try jsonArray(try box.labmake("trials", "framed", "--json").stdout)
        #expect(rows.first?["intermediate"] as? [String] == ["0.25"])
        #expect((rows.first?["value"] as? String)?.contains("\"loss\":1.5") == true, "\(rows)")
        let csv = try box.labmake("trials", "framed", "--csv").stdout
        #expect(csv.hasPrefix("x,default,loss,trialJobId"), "\(csv)")

        let plain = try box.labmake("tune", "--search-space", "space.json", "--trial-command", "echo 0.5; echo 0.75", "--max-trials", "1",
                                    "--name", "plain")
        #expect(plain.status == 0, "\(plain.stderr)")
        let plainRows = try jsonArray(try box.labmake("trials", "plain", "--json").stdout)
        #expect(plainRows.first?["intermediate"] as? [String] == ["0.5"] && plainRows.first?["value"] as? String == "0.75")
    }

    @Test("labmake trials import reads an NNI experiment's database (NNI's schema) beside labmake's experiments")
    func importExperiment() throws {
        let box = try Sandbox(["make_db.py": """
            import json, sqlite3, os
            os.makedirs('5mjxc8z4/db')
            db = sqlite3.connect('5mjxc8z4/db/nni.sqlite')
            db.executescript('''
            create table TrialJobEvent (timestamp integer, trialJobId text, event text, data text, logPath text, sequenceId integer, message text);
            create table MetricData (timestamp integer, trialJobId text, parameterId text, type text, sequence integer, data text);
            create table ExperimentProfile (params text, id text, execDuration integer, startTime integer, endTime integer, logDir text, nextSequenceId integer, revision integer);
            ''')
            config = {"experimentName": "old-lab", "tuner": {"name": "TPE", "classArgs": {"optimize_mode": "maximize"}}}
            db.execute('insert into ExperimentProfile values (?,?,?,?,?,?,?,?)', (json.dumps(config), '5mjxc8z4', 18, 1000, 19000, None, 3, 2))
            def record(i, lr): return json.dumps({"parameter_id": i, "parameter_source": "algorithm", "parameters": {"lr": lr}, "parameter_index": 0})
            # NNI 3.0 keeps the parameters with RUNNING; 2.x with WAITING.
            rows = [(1000, 'pJLka', 'RUNNING', record(0, 0.1), 0), (2000, 'pJLka', 'SUCCEEDED', None, 0),
                    (2100, 'usbJb', 'WAITING', record(1, 0.2), 1), (2200, 'usbJb', 'RUNNING', None, 1), (3000, 'usbJb', 'USER_CANCELED', None, 1),
                    (3100, 'IVD6e', 'RUNNING', record(2, 0.3), 2), (4000, 'IVD6e', 'FAILED', None, 2)]
            for t, job, event, data, seq in rows:
                db.execute('insert into TrialJobEvent values (?,?,?,?,?,?,?)', (t, job, event, data, None, seq, None))
            metrics = [(1500, 'pJLka', '0', 'PERIODICAL', 0, '"0.6925"'), (1600, 'pJLka', '0', 'PERIODICAL', 1, '"0.77"'),
                       (1700, 'pJLka', '0', 'FINAL', 0, json.dumps(json.dumps({"default": 0.8375, "loss": 0.4}))),
                       (2500, 'usbJb', '1', 'PERIODICAL', 0, '"0.5"')]
            db.executemany('insert into MetricData values (?,?,?,?,?,?)', metrics)
            db.commit()
            """])
        #expect(try box.run("python3 make_db.py").status == 0)
        let imported = try box.labmake("trials", "import", "5mjxc8z4")
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("(old-lab) as nni-5mjxc8z4: 3 trials, 1 succeeded; best 0.8375 (pJLka)"), "\(imported.stdout)")
        #expect(try box.labmake("trials").stdout.contains("nni-5mjxc8z4\t3 trials"))
        let rows = try jsonArray(try box.labmake("trials", "nni-5mjxc8z4", "--json").stdout)
        #expect(rows.map { $0["trialJobId"] as? String } == ["pJLka", "usbJb", "IVD6e"])
        #expect(rows.map { $0["status"] as? String } == ["SUCCEEDED", "USER_CANCELED", "FAILED"])
        #expect(rows[0]["intermediate"] as? [String] == ["0.6925", "0.77"])
        #expect((rows[1]["parameter"] as? [String: Any])?["lr"] as? Double == 0.2)
        let csv = try box.labmake("trials", "nni-5mjxc8z4", "--csv").stdout.split(separator: "\n")
        #expect(csv.first == "lr,default,loss,trialJobId,intermediate,trial,status,seconds,error", "\(csv)")
        // Importing again replaces the import; a file that is not NNI's database is refused.
        #expect(try box.labmake("trials", "import", "5mjxc8z4/db/nni.sqlite").status == 0)
        #expect(try jsonArray(try box.labmake("trials", "nni-5mjxc8z4", "--json").stdout).count == 3)
        try box.write("junk/nni.sqlite", "not a database")
        let junk = try box.labmake("trials", "import", "junk")
        #expect(junk.status == 2 && junk.stderr.contains("not an NNI experiment database"), "\(junk.stderr)")
    }
}
