import ArgumentParser
import Pipeline
import Foundation

/// `labmake dag`: the pipeline as a picture.
struct DagCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dag",
        abstract: "Print the pipeline's stages and their dependencies (text, Graphviz dot or Mermaid).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, dot, mermaid
    }

    @Argument(help: "The pipeline file (default: labmake.yaml).")
    var file: String?

    @Option(help: "text, dot or mermaid.")
    var format: Format = .text

    func run() throws {
        let path = try PipelineLocator.path(file)
        let graph = try PipelineLocator.load(path).graph
        print(DagRenderer(graph: graph).render(format), terminator: "")
    }
}

/// Draws a graph as text, Graphviz dot or Mermaid.
struct DagRenderer {
    let graph: Graph

    func render(_ format: DagCommand.Format) -> String {
        switch format {
        case .text: text
        case .dot: dot
        case .mermaid: graph.mermaid
        }
    }

    /// One line per stage in run order, with what it needs.
    var text: String {
        let width = graph.stages.map(\.name.count).max() ?? 0
        return graph.stages.indices.map { i in
            let name = graph.stages[i].name
            let ups = graph.upstream[i].map { graph.stages[$0].name }
            return ups.isEmpty ? name + "\n"
                : name.padding(toLength: width, withPad: " ", startingAt: 0) + "  ← " + ups.joined(separator: ", ") + "\n"
        }.joined()
    }

    var dot: String {
        var out = "digraph pipeline {\n  rankdir=LR;\n  node [shape=box];\n"
        for stage in graph.stages { out += "  \(quoted(stage.name));\n" }
        for i in graph.stages.indices {
            for u in graph.upstream[i] { out += "  \(quoted(graph.stages[u].name)) -> \(quoted(graph.stages[i].name));\n" }
        }
        return out + "}\n"
    }

    private func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
