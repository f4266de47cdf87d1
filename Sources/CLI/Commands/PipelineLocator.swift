import ArgumentParser
import SystemIO
import Foundation
import Manifest
import Pipeline
import Stages

/// Finds, reads and validates the pipeline file a command works on.
struct PipelineLocator {
    /// The file as given, or `labmake.yaml` in the current directory.
    static func path(_ given: String?) throws -> String {
        let cwd = FileManager.default.currentDirectoryPath
        let name = given ?? "labmake.yaml"
        let absolute = name.hasPrefix("/") ? name : cwd + "/" + name
        let normalized = URL(fileURLWithPath: absolute).standardizedFileURL.path
        guard LocalFileSystem().stat(normalized)?.kind == .file else {
            throw LabmakeExit(ExitStatus.invalid, given == nil
                ? "error: no labmake.yaml in \(cwd); name a pipeline file, e.g. labmake run pipelines/examples/hello.yaml"
                : "error: no pipeline file at \(name)")
        }
        return normalized
    }

    /// Loads the pipeline, turning every problem into exit status 2 with file:line:col messages.
    /// - Parameter cached: reuse (and keep) the validated pipeline in the workspace's `.labmake/`.
    static func load(_ path: String, overrides: [String] = [], cached: Bool = false) throws -> PipelineDefinition {
        var parsed: [Override] = []
        for text in overrides {
            do { parsed.append(try Override(parsing: text)) } catch {
                throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
            }
        }
        let fs = LocalFileSystem(durable: false)
        let kinds = StageKinds.registry
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let text: String
        do { text = try fs.readText(path) } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: cannot read the pipeline file: \(error)")
        }
        let cache = ManifestCache(path: Workspace.manifestCachePath(root: root), fileSystem: fs)
        let key = ManifestCache.key(text: text, overrides: parsed, kinds: kinds, toolIdentity: toolIdentity)
        if cached, let pipeline = cache.load(key: key) { return pipeline }
        let pipeline: PipelineDefinition
        do {
            pipeline = try ManifestLoader(kinds: kinds).parse(text, file: path, workspaceRoot: root, overrides: parsed)
        } catch {
            throw LabmakeExit(ExitStatus.invalid, error.description)
        }
        if cached { cache.save(pipeline, key: key) }
        return pipeline
    }

    /// This build of labmake: its version and executable, so that a rebuilt binary never trusts a
    /// pipeline an older one validated.
    private static var toolIdentity: String {
        let exe = LocalFileSystem().stat("/proc/self/exe")
        return "\(Labmake.version) \(exe?.size ?? 0) \(exe?.mtimeNanoseconds ?? 0) \(exe?.inode ?? 0)"
    }

    /// The workspace a pipeline file lives in.
    static func workspace(for path: String) throws -> Workspace {
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            return try Workspace(root: root, fileSystem: LocalFileSystem(durable: false))
        } catch let error as WorkspaceError {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: cannot open the workspace state in \(Workspace.stateDirectoryPath(root: root)): \(error)")
        }
    }

    /// Takes the workspace lock, saying so while it waits for another run; exit 1 when `noWait` and busy.
    static func lock(_ workspace: Workspace, noWait: Bool, terminal: Terminal) throws -> WorkspaceLock {
        do {
            return try workspace.lock(wait: !noWait) { holder in
                terminal.print("waiting for another labmake run\(holder.map { " (pid \($0))" } ?? "") to finish in this workspace…")
            }
        } catch let error as WorkspaceError {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error)")
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: \(error); rerun without --no-wait to wait for it")
        }
    }
}
