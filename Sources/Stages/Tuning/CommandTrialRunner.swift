import Executors
import Foundation
import NNI
import Pipeline
import SystemIO
import Tuner

/// Runs a shell command per trial as a job of a ``JobExecutor``, as NNI's local training service runs
/// `trialCommand`: an unmodified NNI trial script receives its parameters and reports its results.
///
/// Each trial runs in the code directory with no arguments, and gets a fresh folder of its own,
/// `trialsDirectory/EXPERIMENT-ID/trial-N`, holding NNI's `parameter.cfg` and `.nni/metrics`, the bare
/// parameters as `parameters.json` (also in `LABMAKE_TRIAL_PARAMETERS`), and afterwards its output as
/// `trial.stdout` (an NNI trial's own log, `trial.log`, lands there too). Two protocols report metrics:
/// - NNI's: frames appended to `.nni/metrics`, read while the trial runs, or `NNISDK_MEb'…'` lines on
///   stdout. Every PERIODICAL record goes to the assessor as it arrives; the FINAL record is the result,
///   kept even when the assessor had already stopped the trial.
/// - labmake's, when no NNI record came: every output line that is a number or a JSON object with a
///   numeric `default` is a metric; each one before the last is an intermediate result, the last is final.
/// The assessor's stop cancels the job; a timeout stops it and everything it started.
public struct CommandTrialRunner: TrialRunner {
    public var command: String
    /// Where the command runs (NNI's `trialCodeDirectory`, `NNI_CODE_DIR`).
    public var directory: String
    public var timeout: Double?
    public var executor: any JobExecutor
    public var fileSystem: any FileSystem
    /// Each experiment's trial folders are under it.
    public var trialsDirectory: String
    /// Variables every trial gets besides NNI's and labmake's (`CUDA_VISIBLE_DEVICES` from an NNI config).
    public var environment: [String: String]
    /// The shell that runs the command (`/bin/bash` for commands from an NNI config, as NNI runs them).
    public var shell: String
    /// Whether the user interrupted the run: a trial killed then is cancelled, not failed.
    public var isCancelled: @Sendable () -> Bool
    /// Receives a line each time a scheduler moves a trial's job (`trial 3: Slurm job 4171 PENDING (Priority)`,
    /// then `… RUNNING on gpu07`), so that a trial waiting in a cluster's queue is not silent.
    public var log: @Sendable (String) -> Void = { _ in }

    public init(command: String, directory: String, timeout: Double?, executor: any JobExecutor, fileSystem: any FileSystem,
                trialsDirectory: String, environment: [String: String] = [:], shell: String = "/bin/sh",
                isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
        self.executor = executor
        self.fileSystem = fileSystem
        self.trialsDirectory = trialsDirectory
        self.environment = environment
        self.shell = shell
        self.isCancelled = isCancelled
    }

    /// The folder of trial `number` of `experiment`.
    public static func trialFolder(trialsDirectory: String, experiment: String, number: Int) -> String {
        trialsDirectory + "/" + NNITrialProtocol.experimentID(experiment) + "/" + NNITrialProtocol.trialJobID(number: number)
    }

    /// Seconds between two reads of a running trial's metrics file.
    static let metricsPollInterval = 0.1

    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool) throws -> TrialResult {
        try run(trial, of: experiment, report: report, placed: { _ in })
    }

    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
                    placed: @escaping @Sendable (TrialPlacement) -> Void) throws -> TrialResult {
        try run(trial, of: experiment, report: report, placed: placed, isKilled: { false })
    }

    /// A killed trial's job is cancelled, as an assessor's stop cancels it.
    public var stopsKilledTrials: Bool { true }

    public func run(_ trial: TrialRecord, of experiment: String, report: @escaping @Sendable (Double) -> Bool,
                    placed: @escaping @Sendable (TrialPlacement) -> Void, isKilled: @escaping @Sendable () -> Bool) throws -> TrialResult {
        let folder = Self.trialFolder(trialsDirectory: trialsDirectory, experiment: experiment, number: trial.number)
        var variables = NNITrialProtocol.variables(
            experimentID: NNITrialProtocol.experimentID(experiment), trialJobID: trial.jobID, folder: folder,
            sequence: trial.number - 1, codeDirectory: directory)
        variables["LABMAKE_TRIAL_PARAMETERS"] = folder + "/parameters.json"
        variables["LABMAKE_TRIAL_NUMBER"] = String(trial.number)
        variables["LABMAKE_TRIAL_KEY"] = trial.key
        variables.merge(environment) { _, given in given }
        let request = JobRequest(name: "trial-\(trial.number)", process: ProcessRequest(
            command: command, workingDirectory: directory, environment: variables,
            removedEnvironment: NNITrialProtocol.removedVariables, timeout: timeout, shell: shell),
            folder: folder, key: trial.key)

        // A job that an earlier, killed labmake submitted for this trial is watched (or harvested), not run again.
        let job: JobHandle
        if let earlier = executor.attach(request) {
            job = earlier
        } else {
            // A fresh folder on every start: NNI 1.8's SDK truncates the metrics file, later ones append to it.
            try fileSystem.removeItem(folder)
            try fileSystem.createDirectory(folder + "/.nni")
            try fileSystem.writeText(folder + "/" + NNITrialProtocol.parameterFile,
                                     NNITrialProtocol.parameterRecord(trial.configuration, parameterID: trial.number - 1))
            try fileSystem.writeText(folder + "/" + NNITrialProtocol.metricsFile, "")
            try fileSystem.writeText(folder + "/parameters.json", trial.configuration.json)
            job = try executor.submit(request)
        }

        let state = Locked(TrialProgress())
        let cancelJob: @Sendable () -> Void = { [executor] in executor.cancel(job) }
        let metrics = MetricsTail(path: folder + "/" + NNITrialProtocol.metricsFile, fileSystem: fileSystem) { records in
            state.withLock { $0.take(records, report: report, cancel: cancelJob) }
        }
        metrics.start(interval: Self.metricsPollInterval)
        let killWatch = KillWatch(isKilled: isKilled, kill: cancelJob)
        let output = Locked(OutputLog())
        let lastSaid = Locked("")
        let end = executor.watch(job, output: { line in
            output.withLock { $0.append(line) }
            state.withLock { $0.take(line, report: report, cancel: cancelJob) }
        }, placed: { [log] placement in
            placed(TrialPlacement(job: placement.id, state: placement.state, node: placement.node))
            let said = "trial \(trial.number): Slurm job \(placement.id) \(placement.state)"
                + (placement.reason.isEmpty ? "" : " (\(placement.reason))") + (placement.node.isEmpty ? "" : " on \(placement.node)")
            // The trial's end says how it ended; its job is named once, even when a busy machine first sees it finished.
            let ending = ["COMPLETED", "FAILED"].contains(placement.state)
            if lastSaid.withLock({ last in defer { last = said }; return last != said && !(ending && !last.isEmpty) }) { log(said) }
        })
        metrics.finish()
        let killed = killWatch.finish()
        try? fileSystem.writeText(folder + "/trial.stdout", output.withLock { $0.text })
        if killed { throw TrialCancelled() }
        return try outcome(end, state.withLock { $0 }, folder: folder)
    }

    /// The trial's result, or why it has none.
    private func outcome(_ end: JobEnd, _ progress: TrialProgress, folder: String) throws -> TrialResult {
        if let problem = progress.problem { throw TunerError(problem) }
        if progress.stopped { throw TrialStopped(final: progress.speaksNNI ? progress.final : nil) }
        switch end {
        case .exited(0):
            break
        case .timedOut:
            throw TunerError(end.summary)
        case .cancelled, .detached:
            throw TrialCancelled()
        case .signalled where isCancelled():
            throw TrialCancelled()
        default:
            throw TunerError("the trial command ended with \(end.summary)" + failureContext(progress, folder: folder))
        }
        let result: TrialResult
        if progress.speaksNNI {
            guard let final = progress.final else {
                throw TunerError("the trial exited 0 but never called nni.report_final_result()" + failureContext(progress, folder: folder))
            }
            result = final
        } else {
            guard let last = progress.lastLine else {
                throw TunerError("the trial reported no metric: call nni.report_final_result(), or print {\"default\": value} as its last line"
                                 + failureContext(progress, folder: folder))
            }
            result = last
        }
        guard result.metric.isFinite else { throw TunerError("the trial reported \(result.metric)") }
        return result
    }

    /// The last lines of the trial's output and of its `trial.log`, for a failure's message.
    private func failureContext(_ progress: TrialProgress, folder: String) -> String {
        var parts: [String] = []
        if !progress.tail.isEmpty { parts.append(progress.tail.joined(separator: " | ")) }
        let log = folder + "/" + NNITrialProtocol.logFile
        if let size = fileSystem.stat(log)?.size,
           let bytes = try? fileSystem.readFile(log, from: max(0, Int(size) - 4096), maximumBytes: 4096) {
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.suffix(3).map { $0.count > 300 ? String($0.prefix(300)) + "…" : $0 }
            if !lines.isEmpty { parts.append("trial.log: " + lines.joined(separator: " | ")) }
        }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: "; ")
    }
}

/// What a running trial has reported so far, through either protocol.
private struct TrialProgress {
    /// Whether any NNI record arrived: then only NNI records are metrics.
    var speaksNNI = false
    var final: TrialResult?
    /// labmake's protocol: the last metric line.
    var lastLine: TrialResult?
    var stopped = false
    /// A malformed NNI record: the trial fails with it.
    var problem: String?
    private(set) var tail: [String] = []

    /// A line of the trial's output: an `NNISDK_MEb'…'` record, a metric line, or text.
    mutating func take(_ line: String, report: (Double) -> Bool, cancel: () -> Void) {
        do {
            if let record = try NNIMetricFrames.stdoutRecord(line) {
                take([record], report: report, cancel: cancel)
                return
            }
        } catch {
            fail("a malformed NNI metric line: \(error)", cancel: cancel)
            return
        }
        keep(line)
        guard !speaksNNI, let metric = MetricLine.result(line) else { return }
        defer { lastLine = metric }
        guard let previous = lastLine, !stopped else { return }
        if !report(previous.metric) {
            stopped = true
            cancel()
        }
    }

    /// Records from the metrics file (or stdout), or the error that reading them met.
    mutating func take(_ records: Result<[NNIMetricRecord], NNIError>, report: (Double) -> Bool, cancel: () -> Void) {
        switch records {
        case .failure(let error):
            fail("\(NNITrialProtocol.metricsFile): \(error)", cancel: cancel)
        case .success(let records):
            take(records, report: report, cancel: cancel)
        }
    }

    private mutating func take(_ records: [NNIMetricRecord], report: (Double) -> Bool, cancel: () -> Void) {
        for record in records where problem == nil {
            speaksNNI = true
            switch record.kind {
            case .periodical:
                guard !stopped else { continue }
                if !report(record.value) {
                    stopped = true
                    cancel()
                }
            case .final:
                final = TrialResult(metric: record.value, details: record.details)
            case .requestParameter:
                continue
            }
        }
    }

    private mutating func fail(_ message: String, cancel: () -> Void) {
        guard problem == nil else { return }
        problem = message
        cancel()
    }

    private mutating func keep(_ line: String) {
        guard !line.trimmingSpaces.isEmpty else { return }
        tail.append(line.utf8.count > 300 ? String(line.prefix(300)) + "…" : line)
        if tail.count > 3 { tail.removeFirst() }
    }
}

/// Polls whether the user killed a running trial, and cancels its job when so.
private final class KillWatch: @unchecked Sendable {
    private let state = Locked((done: false, killed: false))

    init(isKilled: @escaping @Sendable () -> Bool, kill: @escaping @Sendable () -> Void) {
        Thread.detachNewThread { [state] in
            while true {
                let (done, killed) = state.withLock { ($0.done, $0.killed) }
                if done || killed { return }
                if isKilled() {
                    state.withLock { $0.killed = true }
                    kill()
                    return
                }
                Thread.sleep(forTimeInterval: CommandTrialRunner.metricsPollInterval)
            }
        }
    }

    /// Stops watching; returns whether the trial was killed.
    func finish() -> Bool {
        state.withLock { $0.done = true; return $0.killed }
    }
}
