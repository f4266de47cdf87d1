import Foundation
import SystemIO
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real launcher against real shells: what ends a command, what its output becomes, and that
/// nothing it started outlives it.
@Suite("Launching commands")
struct LocalProcessLauncherTests {
    let launcher = LocalProcessLauncher(gracePeriod: 0.5)
    let directory = NSTemporaryDirectory()

    func run(_ command: String, timeout: Double? = nil, control: ProcessControl? = nil) -> (ProcessOutcome, [String], Double) {
        let lines = Locked([String]())
        let start = Date()
        let outcome = launcher.run(ProcessRequest(command: command, workingDirectory: directory, timeout: timeout),
                                   control: control) { line in lines.withLock { $0.append(line) } }
        return (outcome, lines.withLock { $0 }, Date().timeIntervalSince(start))
    }

    /// Whether a process with this pid is still running: not gone, and not a zombie waiting for a
    /// parent that does not reap (as a container's first process may not).
    func alive(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return true }
        return stat[stat.index(close, offsetBy: 2)] != "Z"
    }

    /// Whether the process is gone within `seconds`: a SIGKILL takes effect when the kernel next runs it.
    func ends(_ pid: Int32, within seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while alive(pid) && Date() < deadline { usleep(10_000) }
        return !alive(pid)
    }

    @Test("exit status, signals and merged stdout and stderr")
    func outcomes() {
        let (ok, lines, _) = run("echo out; echo err >&2; printf 'no newline'")
        #expect(ok == .exited(0))
        #expect(lines == ["out", "err", "no newline"])
        #expect(run("exit 3").0 == .exited(3))
        #expect(run("kill -9 $$").0 == .signalled(9))
    }

    @Test("a command that cannot start says what is missing: its folder or its shell; a given shell runs it")
    func missingFolderOrShell() {
        let folder = launcher.run(ProcessRequest(command: "true", workingDirectory: "/nonexistent-labmake-folder")) { _ in }
        #expect(folder == .failedToStart("No such file or directory: /nonexistent-labmake-folder"))
        let shell = launcher.run(ProcessRequest(command: "true", workingDirectory: directory, shell: "/nonexistent/bash")) { _ in }
        #expect(shell == .failedToStart("No such file or directory: /nonexistent/bash"))
        let lines = Locked([String]())
        let bash = launcher.run(ProcessRequest(command: "echo ${BASH_VERSION:+bash}", workingDirectory: directory, shell: "/bin/bash")) { line in
            lines.withLock { $0.append(line) }
        }
        #expect(bash == .exited(0) && lines.withLock { $0 } == ["bash"])
    }

    @Test("environment: added and removed variables")
    func environment() {
        setenv("LABMAKE_TEST_REMOVED", "secret", 1)
        let lines = Locked([String]())
        let outcome = launcher.run(ProcessRequest(command: "echo \"[$A][${LABMAKE_TEST_REMOVED:-gone}]\"", workingDirectory: directory,
                                                  environment: ["A": "1"], removedEnvironment: ["LABMAKE_TEST_REMOVED"])) { line in
            lines.withLock { $0.append(line) }
        }
        #expect(outcome == .exited(0))
        #expect(lines.withLock { $0 } == ["[1][gone]"])
    }

    @Test("a timeout ends the command and the children it started, even ones that ignore SIGTERM")
    func timeoutKillsTheGroup() throws {
        let pidFile = directory + "labmake-timeout-\(getpid()).pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let (outcome, _, seconds) = run("sh -c 'trap \"\" TERM; sleep 30' & echo $! > \(pidFile); trap '' TERM; sleep 30", timeout: 0.5)
        #expect(outcome == .timedOut(0.5))
        #expect(seconds < 10)
        let child = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(ends(child))
    }

    @Test("a background child that keeps the output open does not keep labmake waiting, and is killed")
    func orphanHoldingOutput() throws {
        let pidFile = directory + "labmake-orphan-\(getpid()).pid"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        let (outcome, lines, seconds) = run("(sleep 30; echo late) & echo $! > \(pidFile); echo done")
        #expect(outcome == .exited(0))
        #expect(lines == ["done"])
        #expect(seconds < 10)
        let child = Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines))!
        #expect(ends(child))
    }

    @Test("a stop request from the output callback ends the command as stopped")
    func stopFromOutput() {
        let control = ProcessControl()
        let lines = Locked([String]())
        let outcome = launcher.run(ProcessRequest(command: "i=0; while true; do i=$((i+1)); echo $i; sleep 0.01; done",
                                                  workingDirectory: directory), control: control) { line in
            lines.withLock { $0.append(line) }
            if line == "3" { control.stop() }
        }
        #expect(outcome == .stopped)
        #expect(lines.withLock { $0.prefix(3) } == ["1", "2", "3"])
    }

    @Test("terminateAll stops running commands (Ctrl-C), and no command starts afterwards")
    func terminateAll() {
        let launcher = LocalProcessLauncher(gracePeriod: 0.5)
        let started = Locked(false)
        let outcome = Locked<ProcessOutcome?>(nil)
        let thread = Thread {
            let result = launcher.run(ProcessRequest(command: "echo up; sleep 30", workingDirectory: "/")) { _ in
                started.withLock { $0 = true }
            }
            outcome.withLock { $0 = result }
        }
        thread.start()
        while !started.withLock({ $0 }) { usleep(10_000) }
        launcher.terminateAll()
        let deadline = Date().addingTimeInterval(10)
        while outcome.withLock({ $0 }) == nil && Date() < deadline { usleep(10_000) }
        #expect(outcome.withLock { $0 } == .signalled(SIGTERM))
        #expect(launcher.run(ProcessRequest(command: "true", workingDirectory: "/")) { _ in } == .signalled(SIGTERM))
    }

    @Test("huge lines, progress bars and floods of lines are read in bounded memory and linear time")
    func hostileOutput() {
        // One 20 MB line: kept to its first 64 KiB, with the count of what was cut.
        let (outcome, lines, _) = run("head -c 20000000 /dev/zero | tr '\\0' x; echo; echo after")
        #expect(outcome == .exited(0))
        #expect(lines.count == 2)
        #expect(lines[0].hasPrefix(String(repeating: "x", count: 100)))
        #expect(lines[0].hasSuffix("[\(20_000_000 - OutputLines.maximumLineBytes) more bytes of this line cut]"))
        #expect(lines[1] == "after")
        // A progress bar redrawn with \r becomes lines; 200,000 lines arrive whole.
        let (_, bar, _) = run("printf '10%%\\r20%%\\r30%%\\r\\n'; seq 200000")
        #expect(bar.prefix(3) == ["10%", "20%", "30%"])
        #expect(bar.count == 200_003)
        #expect(bar.last == "200000")
    }

    @Test("a command that cannot start says why")
    func cannotStart() {
        let outcome = launcher.run(ProcessRequest(command: "true", workingDirectory: "/no/such/folder")) { _ in }
        #expect(outcome != .exited(0))
    }
}
