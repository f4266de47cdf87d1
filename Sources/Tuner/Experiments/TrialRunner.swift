import Foundation

/// Runs one trial: given its parameters, reports intermediate metrics as they come (the answer says
/// whether to go on) and returns the final metric, or throws why it failed.
public protocol TrialRunner: Sendable {
    func run(_ trial: TrialRecord, report: @escaping @Sendable (Double) -> Bool) throws -> Double
}

/// How a trial ended early, at the assessor's word.
public struct TrialStopped: Error, Sendable {
    public init() {}
}

/// How a trial ended when the user interrupted the experiment: recorded as user-cancelled, rerun on resume.
public struct TrialCancelled: Error, Sendable {
    public init() {}
}

/// Runs a shell command per trial, like NNI's `trialCommand`: the parameters are written as JSON to a
/// file whose path is appended to the command and set in `LABMAKE_TRIAL_PARAMETERS` (and NNI's
/// `NNI_PARAMETERS_FILE`); every stdout line that is a number or a JSON object with `default` is a
/// metric, the last one final.
public struct CommandTrialRunner: TrialRunner {
    public var command: String
    public var directory: String
    public var timeout: Double?

    public init(command: String, directory: String, timeout: Double? = nil) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
    }

    public func run(_ trial: TrialRecord, report: @escaping @Sendable (Double) -> Bool) throws -> Double {
        let parameters = NSTemporaryDirectory() + "labmake-trial-\(getpid())-\(trial.number)-\(UUID().uuidString.prefix(8)).json"
        try Data(trial.configuration.json.utf8).write(to: URL(fileURLWithPath: parameters))
        defer { try? FileManager.default.removeItem(atPath: parameters) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " " + shellQuoted(parameters)]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var environment = ProcessInfo.processInfo.environment
        environment["LABMAKE_TRIAL_PARAMETERS"] = parameters
        environment["NNI_PARAMETERS_FILE"] = parameters
        environment["LABMAKE_TRIAL_NUMBER"] = String(trial.number)
        process.environment = environment
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()

        let state = RunState()
        let watchdog = DispatchWorkItem {
            state.set(timedOut: true)
            kill(process.processIdentifier, SIGKILL)
        }
        if let timeout { DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog) }
        let errorData = ErrorCollector(errors.fileHandleForReading)
        var buffer = Data()
        var last: Double?
        let reader = output.fileHandleForReading
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
            while let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                guard let metric = Self.metric(line) else { continue }
                if let previous = last, !report(previous) {
                    state.set(stopped: true)
                    kill(process.processIdentifier, SIGKILL)
                }
                last = metric
            }
        }
        if let metric = Self.metric(String(decoding: buffer, as: UTF8.self)) { last = metric }
        process.waitUntilExit()
        watchdog.cancel()
        if state.stopped { throw TrialStopped() }
        if state.timedOut { throw TunerError("timed out after \(fmt(timeout ?? 0)) s") }
        guard process.terminationStatus == 0 else {
            let tail = errorData.text.split(separator: "\n").suffix(3).joined(separator: " | ")
            throw TunerError("the trial command exited with status \(process.terminationStatus)" + (tail.isEmpty ? "" : ": \(tail)"))
        }
        guard let last else { throw TunerError("the trial command reported no metric (print {\"default\": value} as its last line)") }
        guard last.isFinite else { throw TunerError("the trial reported \(last)") }
        return last
    }

    /// `0.93`, `{"default": 0.93}` or NNI's `{"default": 0.93, …}`; nil for other lines.
    static func metric(_ line: String) -> Double? {
        let text = line.trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return nil }
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

    private final class RunState: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var timedOut = false
        private(set) var stopped = false
        func set(timedOut: Bool) { lock.lock(); self.timedOut = timedOut; lock.unlock() }
        func set(stopped: Bool) { lock.lock(); self.stopped = stopped; lock.unlock() }
    }

    /// Reads standard error on its own thread (a full pipe would block the trial).
    private final class ErrorCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()
        private let done = DispatchSemaphore(value: 0)
        init(_ handle: FileHandle) {
            DispatchQueue.global().async { [self] in
                let all = handle.readDataToEndOfFile()
                lock.lock(); data = all; lock.unlock()
                done.signal()
            }
        }
        var text: String {
            done.wait()
            done.signal()
            lock.lock(); defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }
    }
}

func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
