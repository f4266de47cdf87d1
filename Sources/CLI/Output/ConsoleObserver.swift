import Foundation
import Pipeline

/// Shows a run as it happens: each stage that starts, its output prefixed with its name, and how it
/// ended. Up-to-date stages are counted, not listed, unless `verbose`.
final class ConsoleObserver: RunObserver, @unchecked Sendable {
    private let terminal: Terminal
    private let verbose: Bool
    private let lock = NSLock()

    init(terminal: Terminal, verbose: Bool) {
        self.terminal = terminal
        self.verbose = verbose
    }

    func stageStarted(_ name: String, reasons: [StaleReason]) {
        let why = reasons.map(\.description).joined(separator: "; ")
        emit(terminal.paint("▶ \(name)", .bold) + terminal.paint("  (\(why))", .dim))
    }

    func stageOutput(_ name: String, line: String) {
        emit(terminal.paint("[\(name)] ", .cyan) + line)
    }

    func stageFinished(_ outcome: StageOutcome) {
        switch outcome.status {
        case .executed:
            emit(terminal.paint("✓ \(outcome.name)", .green) + " executed in " + terminal.paint(formatDuration(outcome.seconds), .dim))
        case .restored: emit(terminal.paint("↺ \(outcome.name)", .blue) + " restored from the store")
        case .failed: emit(terminal.paint("✗ \(outcome.name) failed: \(outcome.error ?? "")", .red))
        case .skipped: emit(terminal.paint("- \(outcome.name) skipped", .yellow) + " (\(outcome.reasons.joined(separator: "; ")))")
        case .cached: if verbose { emit(terminal.paint("· \(outcome.name) up to date", .dim)) }
        case .stale: break
        }
    }

    private func emit(_ line: String) {
        lock.lock()
        defer { lock.unlock() }
        terminal.print(line)
    }
}
