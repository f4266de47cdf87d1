import Foundation
import NNI
import Pipeline
import Stages
import SystemIO
import Tuner

/// What the dashboard reads of a workspace: the state database opened read-only (a run writing
/// beside it is never blocked) and the files under `.labmake/`. Trials are decoded once and caught up
/// by save time, so a page of a 5,000-trial experiment does not decode every record again.
public final class WorkspaceReader: @unchecked Sendable {
    /// The workspace root.
    public let root: String
    let database: StateDatabase
    private let lock = NSLock()
    private var cache: [String: (trials: [Int: TrialRecord], savedUpTo: Double)] = [:]

    /// Opens the workspace at `root`; throws when it has no state database yet.
    public init(root: String) throws {
        self.root = root
        let path = Workspace.databasePath(root: root)
        guard FileManager.default.fileExists(atPath: path) else {
            throw FileSystemError(path: path, reason: "no labmake workspace here yet: `labmake run` creates it")
        }
        database = try StateDatabase(readingOnly: path)
    }

    /// Changes whenever a run commits anything.
    public func dataVersion() throws -> Int { try database.dataVersion() }

    /// Every experiment, most recently saved first, with its trial counts by status.
    public func experiments() throws -> [(name: String, statuses: [String: Int], savedAt: Double)] {
        try database.experimentSummaries()
    }

    /// The trials of `experiment`, by number.
    public func trials(experiment: String) throws -> [TrialRecord] {
        lock.lock()
        let cached = cache[experiment]
        lock.unlock()
        // Records saved at the last time seen are read again: another may have been saved at that same time stamp since.
        let since = cached?.savedUpTo ?? -.infinity
        var trials = cached?.trials ?? [:]
        var savedUpTo = cached?.savedUpTo ?? -1
        for row in try database.trialRecords(experiment: experiment, savedSince: since) {
            trials[row.number] = try WorkspaceTrialStore.decode(row.record)
            savedUpTo = Swift.max(savedUpTo, row.savedAt)
        }
        // Trials removed since (an NNI experiment imported again with fewer): read the experiment afresh.
        if cached != nil, try database.trialCount(experiment: experiment) != trials.count {
            trials = [:]
            savedUpTo = -.infinity
            for row in try database.trialRecords(experiment: experiment, savedSince: -.infinity) {
                trials[row.number] = try WorkspaceTrialStore.decode(row.record)
                savedUpTo = Swift.max(savedUpTo, row.savedAt)
            }
        }
        lock.lock()
        cache[experiment] = (trials, savedUpTo)
        lock.unlock()
        return trials.values.sorted { $0.number < $1.number }
    }

    /// Sizes and times of the files a page tails while a run writes them: the stage logs, and the files of
    /// every running trial (its `trial.log`, a Slurm job's output). Different whenever one of them grew.
    public func logSignature() -> String {
        let fm = FileManager.default
        func stamp(_ path: String) -> String {
            guard let attributes = try? fm.attributesOfItem(atPath: path) else { return "" }
            let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            return "\(size)@\(time)"
        }
        var parts: [String] = []
        let logs = Workspace.stateDirectoryPath(root: root) + "/logs"
        for name in ((try? fm.contentsOfDirectory(atPath: logs)) ?? []).sorted() { parts.append(name + " " + stamp(logs + "/" + name)) }
        lock.lock()
        let running = cache.flatMap { experiment, entry in entry.trials.values.filter { $0.status == .running }.map { (experiment, $0.number) } }
        lock.unlock()
        for (experiment, number) in running.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            guard let folder = trialFolder(experiment: experiment, number: number) else { continue }
            for name in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() { parts.append(folder + "/" + name + " " + stamp(folder + "/" + name)) }
        }
        return parts.joined(separator: "\n")
    }

    /// The trial whose result `trial` of `experiment` reused: the first with the same key that ran.
    public func reuseSource(of trial: TrialRecord, experiment: String) throws -> (experiment: String, number: Int)? {
        for row in try database.trials(key: trial.key) where !(row.experiment == experiment && row.number == trial.number) {
            if let other = try? WorkspaceTrialStore.decode(row.record), other.status == .succeeded, !other.reused {
                return (row.experiment, row.number)
            }
        }
        return nil
    }

    /// The latest requests to `experiment` from `labmake serve --control`, newest first, with their answers.
    public func controlRequests(experiment: String, limit: Int = 10) throws -> [StoredControlRequest] {
        try database.controlRequests(experiment: experiment, limit: limit)
    }

    /// The stage records: when each stage last ran and for how long.
    public func stageRecords() throws -> [String: StageRecord] { try database.records() }

    /// The last lines of a stage's log (`labmake log STAGE`), or nil when it has none.
    public func stageLog(_ stage: String, lines: Int = 200) -> String? {
        Self.tail(Workspace.stateDirectoryPath(root: root) + "/logs/" + PathRules.safeFileName(stage) + ".log", lines: lines)
    }

    /// The folder where a command trial keeps its files, when it kept any.
    public func trialFolder(experiment: String, number: Int) -> String? {
        let work = Workspace.stateDirectoryPath(root: root) + "/work"
        let scratches = (try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []
        return scratches.sorted().map { scratch in
            work + "/" + scratch + "/trials/" + NNITrialProtocol.experimentID(experiment) + "/" + NNITrialProtocol.trialJobID(number: number)
        }.first { var isDirectory: ObjCBool = false; return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue }
    }

    /// The last `lines` lines of a text file (at most its last megabyte), or nil when it cannot be read.
    public static func tail(_ path: String, lines: Int) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        let start = size > 1 << 20 ? size - (1 << 20) : 0
        try? handle.seek(toOffset: start)
        let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var kept = text.split(separator: "\n", omittingEmptySubsequences: false)
        if kept.last == "" { kept.removeLast() }
        return kept.suffix(lines).joined(separator: "\n")
    }
}
