import Foundation
import LabmakeTesting
import SystemIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over WebDriver (chromedriver's HTTP protocol), for the dashboard's
/// browser tests: no Python, no download. Chromium and chromedriver come from Debian (`scripts/setup`);
/// chromedriver is started on the port it picks and stopped by its pid. Every host but 127.0.0.1 is made
/// unresolvable, so a page that loaded anything from elsewhere would show it.
final class Browser: @unchecked Sendable {
    static let chromium = "/usr/bin/chromium", chromedriver = "/usr/bin/chromedriver"

    /// Whether the tests can run here: both programs are installed. Under CI they must be.
    static var available: Bool {
        FileManager.default.isExecutableFile(atPath: chromium) && FileManager.default.isExecutableFile(atPath: chromedriver)
    }
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    struct Failure: Error, CustomStringConvertible { var description: String }

    private let driver: Process
    private let http: HTTPProbe
    private let session: String
    /// Where a failing check leaves a screenshot and the DOM.
    static let evidence = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(".build/dashboard-test-failures")

    init() async throws {
        guard Self.available else {
            throw Failure(description: "Chromium and chromedriver are missing: scripts/setup installs them (apt-get install chromium chromium-driver)")
        }
        // chromedriver picks its own port (--port=0) and says which: a port found free first could be taken before it binds.
        driver = Process()
        driver.executableURL = URL(fileURLWithPath: Self.chromedriver)
        driver.arguments = ["--port=0"]
        let output = Pipe()
        driver.standardOutput = output
        driver.standardError = FileHandle.nullDevice
        try driver.run()
        let announcement = PipeCollector(output.fileHandleForReading)
        let deadline = Date().addingTimeInterval(120)
        var announced: UInt16?
        while Date() < deadline, driver.isRunning, announced == nil {
            announced = Self.announcedPort(announcement.text)
            if announced == nil { try await Task.sleep(nanoseconds: 50_000_000) }
        }
        guard let port = announced else {
            driver.terminate()
            throw Failure(description: "chromedriver did not say which port it serves on: \(announcement.text)")
        }
        http = HTTPProbe(port: port)
        var ready = false
        while Date() < deadline, !ready {
            ready = ((try? await http.get("/status"))?.body.contains("\"ready\":true")) ?? false
            if !ready { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        guard ready else { driver.terminate(); throw Failure(description: "chromedriver did not start on port \(port)") }
        let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
            "browserName": "chrome",
            "goog:chromeOptions": ["binary": Self.chromium,
                                   "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000",
                                            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]],
            "goog:loggingPrefs": ["browser": "ALL"],
        ] as [String: Any]]]
        do {
            let reply = try await Self.call(http, "POST", "/session", capabilities)
            guard let id = (reply as? [String: Any])?["sessionId"] as? String else { throw Failure(description: "no session: \(String(describing: reply))") }
            session = id
        } catch {
            driver.terminate()
            throw error
        }
    }

    /// Ends the session and stops chromedriver (and the Chromium it started) by pid.
    func close() async {
        _ = try? await Self.call(http, "DELETE", "/session/\(session)", nil)
        let pid = driver.processIdentifier
        kill(pid, SIGTERM)
        for _ in 0..<30 where driver.isRunning { try? await Task.sleep(nanoseconds: 100_000_000) }
        if driver.isRunning { kill(pid, SIGKILL) }
    }

    func open(_ url: String) async throws {
        _ = try await call("POST", "/url", ["url": url])
    }

    /// Runs `script` (a function body; `arguments[0]`… are `args`) in the page and returns its value.
    func run(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await call("POST", "/execute/sync", ["script": script, "args": args])
    }

    /// Waits until `script` returns true, polling every 100 ms; on timeout, leaves the evidence and fails.
    func waitUntil(_ script: String, seconds: Double = 60, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if Self.isTrue(try await run(script)) { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        await leaveEvidence(what)
        Issue.record("\(what): not so within \(seconds) s (screenshot and DOM in \(Self.evidence.path))", sourceLocation: sourceLocation)
    }

    /// Runs a Chrome DevTools command (emulation, for one).
    func devTools(_ command: String, _ parameters: [String: Any]) async throws {
        _ = try await call("POST", "/goog/cdp/execute", ["cmd": command, "params": parameters])
    }

    /// Whether a script's value is true (JSON's `true` arrives as an NSNumber on Linux).
    static func isTrue(_ value: Any?) -> Bool {
        (value as? Bool) == true || (value as? NSNumber)?.boolValue == true
    }

    /// The page's console errors since the last call (Chromium's SEVERE entries).
    func consoleErrors() async throws -> [String] {
        let entries = try await call("POST", "/se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.filter { $0["level"] as? String == "SEVERE" }.map { $0["message"] as? String ?? "" }
    }

    /// Requires no console error, leaving the evidence otherwise.
    func expectNoConsoleErrors(_ page: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let errors = try await consoleErrors()
        if !errors.isEmpty {
            await leaveEvidence(page)
            Issue.record("\(page): console errors: \(errors)", sourceLocation: sourceLocation)
        }
    }

    /// Saves a screenshot and the DOM under `.build/dashboard-test-failures/`.
    func leaveEvidence(_ name: String) async {
        let base = name.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        try? FileManager.default.createDirectory(at: Self.evidence, withIntermediateDirectories: true)
        if let png = try? await call("GET", "/screenshot", nil) as? String, let data = Data(base64Encoded: png) {
            try? data.write(to: Self.evidence.appendingPathComponent(String(base) + ".png"))
        }
        if let dom = try? await run("return document.documentElement.outerHTML") as? String {
            try? dom.write(to: Self.evidence.appendingPathComponent(String(base) + ".html"), atomically: true, encoding: .utf8)
        }
    }

    private func call(_ method: String, _ path: String, _ body: Any?) async throws -> Any? {
        try await Self.call(http, method, "/session/\(session)" + path, body)
    }

    /// The port of chromedriver's "ChromeDriver was started successfully on port N." line, once printed.
    private static func announcedPort(_ output: String) -> UInt16? {
        guard let line = output.split(separator: "\n").first(where: { $0.contains("started successfully on port ") }),
              let digits = line.components(separatedBy: "on port ").last?.prefix(while: \.isNumber) else { return nil }
        return UInt16(digits)
    }

    private static func call(_ http: HTTPProbe, _ method: String, _ path: String, _ body: Any?) async throws -> Any? {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await http.request(method, path, headers: data == nil ? [:] : ["Content-Type": "application/json"], body: data)
        let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8), options: [.fragmentsAllowed]) as? [String: Any]
        if let value = object?["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "WebDriver \(method) \(path): \(error): \(value["message"] as? String ?? "")")
        }
        return object?["value"] ?? nil
    }
}
