import ArgumentParser

/// `labmake bench`: measure labmake's compute on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure compute speed on this machine (ops, training).",
        subcommands: [BenchOpsCommand.self, BenchTrainCommand.self])
}
