import Foundation
import SystemIO

/// The batch script labmake submits for a job, and the files it leaves in the job's folder.
///
/// The script runs the request's command in its working directory with its environment, its output
/// to `attempt-N.out` (N is `SLURM_RESTART_COUNT`: a requeued job starts attempt N+1 beside the
/// earlier one), and, when the command ends by itself, writes `exit.json` (job id, attempt, exit
/// status, whether the request's own timeout stopped it) by write-then-rename. A job that Slurm stops
/// (scancel, its time limit, preemption) writes no `exit.json`: Slurm's state says how it ended. No
/// early-warning signal is asked for: most trial commands would die of an unexpected SIGUSR1, and
/// built-in trials checkpoint every epoch anyway.
enum SlurmJobScript {
    static let scriptFile = "job.sh"
    static let recordFile = "job.json"
    static let exitFile = "exit.json"

    static func outputFile(attempt: Int) -> String { "attempt-\(attempt).out" }
    static func startedFile(attempt: Int) -> String { "started-\(attempt).json" }

    /// The script's text for `request`, whose files live in `folder`.
    static func text(for request: JobRequest, folder: String) -> String {
        let process = request.process
        var lines = [
            "#!/bin/bash",
            "# Written by labmake for job \(request.name.replacingOccurrences(of: "\n", with: " ")): runs the command below,",
            "# keeps its output per attempt, and writes exit.json when it ends by itself.",
            "folder=\(folder.shellQuoted)",
            "attempt=\"${SLURM_RESTART_COUNT:-0}\"",
            "cd \"$folder\" || exit 90",
            "printf '{\"job\":\"%s\",\"attempt\":%d,\"node\":\"%s\",\"gpus\":\"%s\",\"time\":%s}\\n' \"${SLURM_JOB_ID:-}\" \"$attempt\" "
                + "\"${SLURMD_NODENAME:-$(hostname -s)}\" \"${CUDA_VISIBLE_DEVICES:-}\" \"$(date +%s.%N)\" > \"started-$attempt.json.tmp\" "
                + "&& mv -f \"started-$attempt.json.tmp\" \"started-$attempt.json\"",
        ]
        for name in process.removedEnvironment where isVariableName(name) { lines.append("unset -v \(name)") }
        for (name, value) in process.environment.sorted(by: { $0.key < $1.key }) where isVariableName(name) {
            lines.append("export \(name)=\(value.shellQuoted)")
        }
        var command = [process.shell, "-c", process.command].map(\.shellQuoted).joined(separator: " ")
        if let timeout = process.timeout {
            command = "timeout --signal=TERM --kill-after=5 \(String(format: "%.3f", timeout)) " + command
        }
        lines += [
            "out=\"$folder/attempt-$attempt.out\"",
            "cd \(process.workingDirectory.shellQuoted) || { echo \"labmake: cannot enter \(process.workingDirectory.replacingOccurrences(of: "\"", with: "'"))\" >> \"$out\"; "
                + "printf '{\"job\":\"%s\",\"attempt\":%d,\"status\":90,\"timed_out\":false}\\n' \"${SLURM_JOB_ID:-}\" \"$attempt\" > \"$folder/exit.json\"; exit 90; }",
            "stopping=0",
            "trap 'stopping=1; kill -TERM \"$child\" 2>/dev/null' TERM INT",
            "\(command) >> \"$out\" 2>&1 < /dev/null &",
            "child=$!",
            "while :; do wait \"$child\"; status=$?; kill -0 \"$child\" 2>/dev/null || break; done",
            "# Killed by a signal: Slurm's stop reaches every process of the job, this script a moment after the command.",
            "if [ \"$status\" -gt 128 ] && [ \"$stopping\" = 0 ]; then sleep 1 & wait $! 2>/dev/null; fi",
            "[ \"$stopping\" = 1 ] && exit \"$status\"",
            "timed_out=false",
            process.timeout == nil ? ":" : "[ \"$status\" = 124 ] && timed_out=true",
            "printf '{\"job\":\"%s\",\"attempt\":%d,\"status\":%d,\"timed_out\":%s}\\n' \"${SLURM_JOB_ID:-}\" \"$attempt\" \"$status\" \"$timed_out\" "
                + "> \"$folder/exit.json.tmp\" && mv -f \"$folder/exit.json.tmp\" \"$folder/exit.json\"",
            "exit \"$status\"",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Whether `name` can be a shell variable's name.
    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// What the script wrote when the command ended by itself.
    struct ExitRecord: Codable, Equatable {
        var job: String
        var attempt: Int
        var status: Int32
        var timedOut: Bool

        enum CodingKeys: String, CodingKey {
            case job, attempt, status
            case timedOut = "timed_out"
        }
    }

    /// What labmake recorded of its submission, before `sbatch` (no id yet) and after.
    struct SubmissionRecord: Codable, Equatable {
        var id: String?
        var name: String
        var comment: String
    }

    /// What the script wrote when an attempt started.
    struct StartRecord: Codable, Equatable {
        var job: String
        var attempt: Int
        var node: String
        var gpus: String
    }
}
