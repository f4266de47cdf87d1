import Foundation
import LabmakeTesting
import Testing

/// Runs the real `labmake` binary in a temporary workspace, as a user would.
final class Sandbox: @unchecked Sendable {
    let root: URL

    init(_ files: [String: String] = [:]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        for (path, text) in files { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func write(_ path: String, _ text: String) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func read(_ path: String) -> String? { try? String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) }

    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) }

    /// Runs labmake to completion (at most `timeout` seconds).
    @discardableResult
    func labmake(_ arguments: String..., environment: [String: String] = [:], timeout: Double = 120) throws -> Result {
        let process = try start(arguments, environment: environment)
        return try process.wait(timeout: timeout)
    }

    /// Starts labmake and returns at once.
    func start(_ arguments: [String], environment: [String: String] = [:]) throws -> RunningLabmake {
        try RunningLabmake(arguments: arguments, directory: root, environment: environment)
    }

    /// Paths, relative to the sandbox, of every file named `name` under it (hidden folders included).
    func find(_ name: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { ($0 as NSString).lastPathComponent == name }.sorted()
    }

    /// Runs a shell command in the sandbox, for fixtures.
    func run(_ command: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = root
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: "", stderr: "")
    }

    /// Waits until `path` exists (a stage has reached a point), at most `timeout` seconds.
    func waitFor(_ path: String, timeout: Double = 60) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !exists(path) {
            guard Date() < deadline else { throw TestFailure("\(path) never appeared") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A labmake process under way.
final class RunningLabmake: @unchecked Sendable {
    let process = Process()
    private let out = Pipe(), err = Pipe()
    /// Read as they come, so that a test can see the output of a process still running (the URL `serve` prints).
    private let stdout: PipeCollector, stderr: PipeCollector

    init(arguments: [String], directory: URL, environment: [String: String]) throws {
        process.executableURL = try RunningLabmake.binary()
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        stdout = PipeCollector(out.fileHandleForReading)
        stderr = PipeCollector(err.fileHandleForReading)
        try process.run()
    }

    /// What the process has written to standard output so far.
    var outputSoFar: String { stdout.text }

    /// The port `labmake serve --port 0` says it serves on, once it says so (at most `timeout` seconds).
    func servedPort(timeout: Double = 60) throws -> UInt16 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            // "labmake serve: http://127.0.0.1:PORT/… — workspace …", read once the slash after the port has come.
            if let line = outputSoFar.split(separator: "\n").first(where: { $0.hasPrefix("labmake serve: http://") }),
               case let address = line.dropFirst("labmake serve: http://".count), let slash = address.firstIndex(of: "/"),
               let port = address[..<slash].split(separator: ":").last.flatMap({ UInt16($0) }) {
                return port
            }
            if !process.isRunning {
                let result = try wait(timeout: 5)
                throw TestFailure("labmake serve ended (\(result.status)) before serving: \(result.stderr)")
            }
            guard Date() < deadline else { throw TestFailure("labmake serve did not say its port in \(timeout)s") }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    var pid: Int32 { process.processIdentifier }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Ends the process: SIGTERM, then SIGKILL if it still runs after `grace` seconds, so that a test never
    /// leaves one behind (a process started from a thread that blocks SIGTERM inherits the block).
    func stop(grace: Double = 10) {
        guard process.isRunning else { return }
        signal(SIGTERM)
        let deadline = Date().addingTimeInterval(grace)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
        }
    }

    func wait(timeout: Double = 120) throws -> Sandbox.Result {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline {
                stop(grace: 5)
                throw TestFailure("labmake \(process.arguments ?? []) did not finish in \(timeout)s")
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return Sandbox.Result(status: process.terminationStatus, stdout: stdout.textAtEnd(), stderr: stderr.textAtEnd())
    }

    /// The built `labmake` executable, next to the test bundle.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let given = ProcessInfo.processInfo.environment["LABMAKE_BIN"] { candidates.append(URL(fileURLWithPath: given)) }
        let argv0 = URL(fileURLWithPath: CommandLine.arguments[0])
        var dir = argv0.deletingLastPathComponent()
        for _ in 0..<4 {
            candidates.append(dir.appendingPathComponent("labmake"))
            dir = dir.deletingLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/labmake"))
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path)
            && !candidate.hasDirectoryPath {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        throw TestFailure("labmake binary not found; build it first (swift build) or set LABMAKE_BIN")
    }
}

/// Whether a process is alive.
func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }
