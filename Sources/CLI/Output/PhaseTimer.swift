import Foundation

/// Times the phases of a command and prints them to standard error when `LABMAKE_STATS=1`
/// (like ninja's `-d stats`): where a no-op run spends its milliseconds.
final class PhaseTimer: @unchecked Sendable {
    /// Started when the command line is first looked at.
    static let shared = PhaseTimer()

    private let enabled = getenv("LABMAKE_STATS").map { String(cString: $0) } == "1"
    private var last = Date()
    private var phases: [(String, Double)] = []

    func lap(_ phase: String) {
        guard enabled else { return }
        let now = Date()
        phases.append((phase, now.timeIntervalSince(last) * 1000))
        last = now
    }

    func report() {
        guard enabled else { return }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000
        phases.append(("cpu total", cpu))
        let lines = phases.map { String(format: "  %-10@ %8.2f ms", $0.0 as NSString, $0.1) }
        FileHandle.standardError.write(Data(("labmake stats:\n" + lines.joined(separator: "\n") + "\n").utf8))
    }
}
