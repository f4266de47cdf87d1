import Dashboard
import Foundation
import Pipeline
import Stages
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// The dashboard's view of the pipeline: `labmake status`'s dry run on the workspace opened read-only
/// (so nothing is written, not even the hash cache), the pipeline file read again only when it changes,
/// and whether a `labmake run` holds the workspace.
final class PipelineStateReader: @unchecked Sendable {
    let path: String
    let root: String
    private let lock = NSLock()
    private var loaded: (signature: String, pipeline: PipelineDefinition?, problem: String?)?

    init(path: String) {
        self.path = path
        root = URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    func state() -> PipelineState {
        let display = URL(fileURLWithPath: path).lastPathComponent
        let (pipeline, problem) = load()
        let pid = Self.runningPid(lockPath: Workspace.stateDirectoryPath(root: root) + "/lock")
        guard let pipeline else { return PipelineState(file: display, stages: [], runningPid: pid, problem: problem) }
        let graph = pipeline.graph
        let summary: RunSummary
        do {
            let workspace = try Workspace(root: root, fileSystem: LocalFileSystem(durable: false), readOnly: true)
            let runner = Runner(graph: graph, workspace: workspace, kinds: StageKinds.registry, settings: pipeline.settings,
                                observer: SilentObserver())
            summary = try runner.run(RunOptions(dryRun: true))
        } catch {
            return PipelineState(file: display, stages: [], runningPid: pid, problem: "\(error)")
        }
        var stages = summary.outcomes.map { outcome -> PipelineState.Stage in
            let i = graph.index(of: outcome.name)!
            let definition = graph.stages[i]
            let status = switch outcome.status {
            case .cached: "up-to-date"
            case .stale: "stale"
            case .failed: "failed"
            default: outcome.status.rawValue
            }
            return PipelineState.Stage(
                name: outcome.name, kind: definition.kind, status: status, reasons: outcome.error.map { [$0] } ?? outcome.reasons,
                upstream: graph.upstream[i], maximize: Self.text(definition.with["direction"]).map { $0 != "minimize" },
                maxTrials: Self.integer(definition.with["max_trials"]), tuner: Self.text(definition.with["tuner"]),
                assessor: Self.text(definition.with["assessor"]), commandTrials: definition.with["trial_command"] != nil,
                outs: definition.outs, definition: Self.resolved(definition), location: definition.location?.description,
                searchSpace: searchSpace(definition))
        }
        // While a run holds the workspace, the stale stages whose inputs are all up to date are the ones it is running.
        if pid != nil {
            for i in stages.indices where stages[i].status == "stale" && stages[i].upstream.allSatisfy({ stages[$0].status == "up-to-date" }) {
                stages[i].status = "running"
            }
        }
        return PipelineState(file: display, stages: stages, runningPid: pid)
    }

    /// The pipeline, parsed again only when the file's size or time changed.
    private func load() -> (PipelineDefinition?, String?) {
        let stat = LocalFileSystem().stat(path)
        let signature = "\(stat?.size ?? -1) \(stat?.mtimeNanoseconds ?? -1)"
        lock.lock(); defer { lock.unlock() }
        if let loaded, loaded.signature == signature { return (loaded.pipeline, loaded.problem) }
        var result: (PipelineDefinition?, String?)
        do { result = (try PipelineLocator.load(path), nil) } catch let exit as LabmakeExit {
            result = (nil, exit.message)
        } catch {
            result = (nil, "\(error)")
        }
        loaded = (signature, result.0, result.1)
        return result
    }

    /// The pid written in the workspace lock, if that process is alive and holds the lock file open.
    static func runningPid(lockPath: String) -> Int32? {
        guard let text = try? String(contentsOfFile: lockPath, encoding: .utf8),
              let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0, kill(pid, 0) == 0 else { return nil }
        let fds = "/proc/\(pid)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: fds) else {
            return FileManager.default.fileExists(atPath: "/proc/self") ? nil : pid
        }
        let target = URL(fileURLWithPath: lockPath).resolvingSymlinksInPath().path
        return entries.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0)) == target } ? pid : nil
    }

    /// The stage as the pipeline file resolves it, in the file's own terms.
    static func resolved(_ stage: StageDefinition) -> ConfigValue {
        var fields: [String: ConfigValue] = stage.isCommand ? ["cmd": .string(stage.command ?? "")] : ["uses": .string(stage.kind)]
        if !stage.params.isEmpty { fields["params"] = .object(stage.params) }
        if !stage.with.isEmpty { fields["with"] = .object(stage.with) }
        for (key, list) in [("deps", stage.deps), ("outs", stage.outs), ("needs", stage.needs)] where !list.isEmpty {
            fields[key] = .array(list.map { .string($0) })
        }
        if let executor = stage.executor?.kind { fields["executor"] = .string(executor.rawValue) }
        return .object(fields)
    }

    /// A sweep or tune stage's search space: the file it names (at most 256 KB of it), or its inline mapping.
    private func searchSpace(_ stage: StageDefinition) -> (text: String, source: String)? {
        switch stage.with["search_space"] {
        case .string(let file):
            let path = file.hasPrefix("/") ? file : root + "/" + file
            guard let handle = FileHandle(forReadingAtPath: path) else { return ("(cannot be read)", file) }
            defer { try? handle.close() }
            return (String(decoding: handle.readData(ofLength: 256 * 1024), as: UTF8.self), file)
        case .object(let fields)?:
            return (ConfigValue.object(fields).canonicalJSON, "inline in the pipeline file")
        default:
            return nil
        }
    }

    private static func text(_ value: ConfigValue?) -> String? {
        switch value {
        case .string(let s): s
        case .object(let fields): text(fields["name"])
        default: nil
        }
    }

    private static func integer(_ value: ConfigValue?) -> Int? {
        switch value {
        case .int(let i): i
        case .double(let d) where d == d.rounded(): Int(d)
        default: nil
        }
    }
}
