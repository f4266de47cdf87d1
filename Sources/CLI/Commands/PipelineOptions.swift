import ArgumentParser
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
    static func load(_ path: String, overrides: [String] = []) throws -> PipelineDefinition {
        var parsed: [Override] = []
        for text in overrides {
            do { parsed.append(try Override(parsing: text)) } catch {
                throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
            }
        }
        do {
            return try ManifestLoader(kinds: StageKinds.registry).load(path: path, overrides: parsed)
        } catch {
            throw LabmakeExit(ExitStatus.invalid, error.description)
        }
    }

    /// The workspace a pipeline file lives in.
    static func workspace(for path: String) throws -> Workspace {
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            return try Workspace(root: root)
        } catch {
            throw LabmakeExit(ExitStatus.stageFailed, "error: cannot open the workspace state in \(root)/.labmake: \(error)")
        }
    }
}
