import ArgumentParser
import Foundation
import Pipeline

/// `labmake gc`: drops artifacts that no current stage record needs.
struct GCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Delete stored artifacts that the pipeline's current stages do not use, and report the space freed.",
        discussion: "Outputs of earlier runs (other parameters, other branches) can no longer be restored afterwards.")

    @Argument(help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    @Flag(name: .customLong("no-wait"), help: "Fail at once if another run holds the workspace.")
    var noWait = false

    func run() throws {
        let path = try PipelineLocator.path(file)
        let pipeline = try PipelineLocator.load(path)
        let workspace = try PipelineLocator.workspace(for: path)
        let terminal = Terminal(stderr: false)
        let lock = try PipelineLocator.lock(workspace, noWait: noWait, terminal: terminal)
        defer { withExtendedLifetime(lock) {} }

        let names = Set(pipeline.stages.map(\.name))
        let records = try workspace.database.records().values
        for gone in records where !names.contains(gone.stage) { try workspace.database.forget(stage: gone.stage) }
        let current = records.filter { names.contains($0.stage) }
        let entries = try workspace.database.pruneRunCache(keeping: Set(current.map(\.key)))
        let keep = current.flatMap { $0.outputs.entries.compactMap(\.id) }
        let (files, bytes) = try workspace.store.collectGarbage(keeping: keep)
        terminal.print("removed \(files) artifact file\(files == 1 ? "" : "s") and \(entries) old run\(entries == 1 ? "" : "s"), freed \(formatBytes(bytes))")
    }
}

/// Bytes as a person reads them: 512 B, 1.5 MB.
func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 {
        value /= 1000
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
