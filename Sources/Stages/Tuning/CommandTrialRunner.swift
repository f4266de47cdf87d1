import Executors
import Foundation
import SystemIO
import Tuner

/// Runs a shell command per trial as a job of a ``JobExecutor``, like NNI's `trialCommand`.
///
/// The trial's parameters are written as JSON to `TRIAL_FOLDER/parameters.json`, whose path is appended
/// to the command and set in `LABMAKE_TRIAL_PARAMETERS`. Every output line that is a number or a JSON
/// object with a numeric `default` is a metric; each one reported before the last is an intermediate
/// result, the last is final. The assessor's stop cancels the job; a timeout stops it and everything
/// it started.
public struct CommandTrialRunner: TrialRunner {
    public var command: String
    public var directory: String
    public var timeout: Double?
    public var executor: any JobExecutor
    public var fileSystem: any FileSystem
    /// Each trial gets `trial-N` under it.
    public var scratchDirectory: String
    /// Whether the user interrupted the run: a trial killed then is cancelled, not failed.
    public var isCancelled: @Sendable () -> Bool

    public init(command: String, directory: String, timeout: Double?, executor: any JobExecutor, fileSystem: any FileSystem,
                scratchDirectory: String, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
        self.executor = executor
        self.fileSystem = fileSystem
        self.scratchDirectory = scratchDirectory
        self.isCancelled = isCancelled
    }

    public func run(_ trial: TrialRecord, report: @escaping @Sendable (Double) -> Bool) throws -> Double {
        let folder = scratchDirectory + "/trial-\(trial.number)"
        let parameters = folder + "/parameters.json"
        try fileSystem.writeText(parameters, trial.configuration.json)
        let request = JobRequest(name: "trial-\(trial.number)", process: ProcessRequest(
            command: command + " " + shellQuoted(parameters), workingDirectory: directory,
            environment: ["LABMAKE_TRIAL_PARAMETERS": parameters, "LABMAKE_TRIAL_NUMBER": String(trial.number)],
            timeout: timeout))
        let state = Locked(TrialOutput())
        let job = try executor.submit(request)
        let end = executor.watch(job) { [executor] line in
            let stop = state.withLock { output -> Bool in
                output.keep(line)
                guard let metric = Self.metric(line) else { return false }
                defer { output.last = metric }
                guard let previous = output.last, !output.stopped else { return false }
                output.stopped = !report(previous)
                return output.stopped
            }
            if stop { executor.cancel(job) }
        }
        let output = state.withLock { $0 }
        if output.stopped { throw TrialStopped() }
        switch end {
        case .exited(0):
            break
        case .timedOut:
            throw TunerError(end.summary)
        case .cancelled, .signalled where isCancelled():
            throw TrialCancelled()
        default:
            let tail = output.tail.joined(separator: " | ")
            throw TunerError("the trial command ended with \(end.summary)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        guard let last = output.last else {
            throw TunerError("the trial command reported no metric (print {\"default\": value} as its last line)")
        }
        guard last.isFinite else { throw TunerError("the trial reported \(last)") }
        return last
    }

    /// `0.93`, `{"default": 0.93}` or NNI's `{"default": 0.93, …}`; nil for other lines.
    static func metric(_ line: String) -> Double? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty, text.utf8.count <= 4096 else { return nil }
        if let value = Double(text) { return value }
        guard text.hasPrefix("{") else { return nil }
        // Python's json writes NaN and Infinity bare, which strict JSON does not allow.
        let lenient = text.replacingOccurrences(of: "-Infinity", with: "\"-inf\"").replacingOccurrences(of: "Infinity", with: "\"inf\"")
            .replacingOccurrences(of: "NaN", with: "\"nan\"")
        guard let json = try? JSONValue.parse(Data(lenient.utf8)), case .object(let fields) = json else { return nil }
        if let v = fields["default"]?.number { return v }
        if case .string(let s)? = fields["default"] { return Double(s) }
        return nil
    }
}

/// What a trial's watcher keeps of its output: the last metric and the last few lines, for the message
/// of a failed trial.
private struct TrialOutput {
    var last: Double?
    var stopped = false
    private(set) var tail: [String] = []

    mutating func keep(_ line: String) {
        guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        tail.append(line.count > 300 ? String(line.prefix(300)) + "…" : line)
        if tail.count > 3 { tail.removeFirst() }
    }
}

/// `s` quoted for `/bin/sh`.
func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
