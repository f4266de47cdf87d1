import ArgumentParser

/// `labmake bench`: measure labmake's compute on this machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed on this machine (ops, training, the data loader, the dashboard).",
        subcommands: [BenchOpsCommand.self, BenchTrainCommand.self, BenchDataCommand.self, BenchDashboardCommand.self])
}
