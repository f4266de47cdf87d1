import Foundation
import NNI
import Pipeline
import SystemIO
import Training
import Tuner

/// A built-in training trial run as a job of its own (`labmake trial-exec`), for executors that run
/// trials away from labmake (Slurm): it trains as ``TrainingTrialRunner`` does in labmake's process
/// and reports each epoch's accuracy and the final one as NNI's stdout records, which
/// ``CommandTrialRunner`` reads. Its checkpoint lives in the trial's folder, so that a requeued job
/// resumes at its last epoch.
public enum BuiltInTrialJob {
    /// The command a trial job runs: this labmake binary's `trial-exec`, on `data`, over `baseline`.
    static func command(data: String, baselineFile: String, device: String) -> String {
        [executablePath, "trial-exec", "--data", data, "--baseline", baselineFile, "--device", device].map(\.shellQuoted).joined(separator: " ")
    }

    /// The labmake binary that jobs run: `LABMAKE_EXECUTABLE` when set (a copy the nodes can reach), else
    /// this process's own executable, which the nodes must see on the shared file system.
    static var executablePath: String {
        if let given = ProcessInfo.processInfo.environment["LABMAKE_EXECUTABLE"], !given.isEmpty { return given }
        return (try? LocalFileSystem().readLink("/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// Runs the trial that the environment (`LABMAKE_TRIAL_PARAMETERS`, `LABMAKE_TRIAL_NUMBER`,
    /// `LABMAKE_TRIAL_KEY`) describes; returns the exit status: 0 with a FINAL record, 1 with a message.
    public static func run(data: String, baselineFile: String, device: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                           print: @escaping @Sendable (String) -> Void, log: @escaping @Sendable (String) -> Void) -> Int32 {
        let fileSystem = LocalFileSystem()
        do {
            guard let parametersFile = environment["LABMAKE_TRIAL_PARAMETERS"], let key = environment["LABMAKE_TRIAL_KEY"],
                  let number = environment["LABMAKE_TRIAL_NUMBER"].flatMap(Int.init)
            else {
                throw StageFailure("labmake trial-exec runs a trial that labmake submitted: LABMAKE_TRIAL_PARAMETERS, LABMAKE_TRIAL_NUMBER and LABMAKE_TRIAL_KEY are not set")
            }
            let configuration = try Configuration.parse(json: fileSystem.readText(parametersFile))
            let baseline = try Configuration.parse(json: fileSystem.readText(baselineFile))
            try StageDevice.activate(device, log: log)
            let dataset = try LabDataset.open(folder: data, fileSystem: fileSystem, log: log)
            let folder = parametersFile.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            let runner = TrainingTrialRunner(dataset: dataset, baseline: baseline, workDirectory: folder + "/checkpoint", fileSystem: fileSystem)
            let trial = TrialRecord(number: number, configuration: configuration, key: key)
            let sequence = Locked(0)
            let result = try runner.run(trial, of: "") { accuracy in
                let n = sequence.withLock { n -> Int in
                    defer { n += 1 }
                    return n
                }
                print(record(type: "PERIODICAL", sequence: n, value: accuracy, trial: trial))
                return true
            }
            print(record(type: "FINAL", sequence: 0, value: result.metric, trial: trial))
            return 0
        } catch {
            log("\(error)")
            return 1
        }
    }

    /// One NNI stdout record: `NNISDK_MEb'{…}'`.
    private static func record(type: String, sequence: Int, value: Double, trial: TrialRecord) -> String {
        let number = value.isFinite ? "\(value)" : (value.isNaN ? "NaN" : (value > 0 ? "Infinity" : "-Infinity"))
        let json = "{\"parameter_id\":\(trial.number - 1),\"trial_job_id\":\"\(trial.jobID)\",\"type\":\"\(type)\",\"sequence\":\(sequence),\"value\":\"\(number)\"}"
        return "NNISDK_MEb'" + json + "'"
    }
}
