import Foundation

/// Runs trials through one long-lived process: each trial writes its parameters as one JSON line to
/// the process's standard input and reads one metric line back (`{"default": v}`). For cheap
/// objectives whose start-up would dominate (the bench's `objective_cmd.py --serve`). Trials through
/// one server run one at a time.
public final class ServerTrialRunner: TrialRunner, @unchecked Sendable {
    private let lock = NSLock()
    private let process = Process()
    private let input: FileHandle
    private let output: FileHandle
    private var buffer = Data()

    public init(command: String, directory: String) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        input = stdin.fileHandleForWriting
        output = stdout.fileHandleForReading
        try process.run()
    }

    deinit {
        try? input.close()
        process.terminate()
    }

    public func run(_ trial: TrialRecord, report: @escaping @Sendable (Double) -> Bool) throws -> Double {
        lock.lock()
        defer { lock.unlock() }
        guard process.isRunning else { throw TunerError("the trial server exited with status \(process.terminationStatus)") }
        try input.write(contentsOf: Data((trial.configuration.json + "\n").utf8))
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                guard let metric = CommandTrialRunner.metric(line) else { continue }
                guard metric.isFinite else { throw TunerError("the trial reported \(metric)") }
                return metric
            }
            let chunk = output.availableData
            if chunk.isEmpty { throw TunerError("the trial server closed its output") }
            buffer.append(chunk)
        }
    }
}
