import Foundation
import Tuner

/// Writes human output: colour only on a terminal, and never when NO_COLOR is set.
struct Terminal: Sendable {
    enum Style: String {
        case bold = "1", dim = "2", red = "31", green = "32", yellow = "33", blue = "34", cyan = "36"
    }

    let handle: FileHandle
    let colored: Bool

    /// Standard output, or standard error when standard output carries JSON.
    init(stderr: Bool) {
        handle = stderr ? .standardError : .standardOutput
        let fd: Int32 = stderr ? 2 : 1
        colored = isatty(fd) == 1 && getenv("NO_COLOR") == nil && getenv("TERM").map { String(cString: $0) } != "dumb"
    }

    func paint(_ text: String, _ style: Style) -> String {
        colored ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    func print(_ line: String) {
        handle.write(Data((line + "\n").utf8))
    }
}

/// Seconds as a person reads them: 0.12s, 3.4s, 2m05s.
func formatDuration(_ seconds: Double) -> String { ExperimentProgress.duration(seconds) }
