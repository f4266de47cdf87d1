import Foundation
import Pipeline
import Stages
import Tuner

/// `labmake serve --control`: the requests that change a running experiment (kill trials, change
/// `max_trials`, rerun failed trials). The dashboard only queues them, in the workspace database; the
/// run that drives the experiment applies and answers each one. Every request carries the token drawn
/// at this start, which only the dashboard's own pages hold.
public final class ControlChannel: Sendable {
    /// The token every request must carry.
    public let token: String
    let queue: WorkspaceControlQueue

    /// Opens the workspace database at `root` for writing requests.
    public init(root: String, token: String = ControlChannel.newToken()) throws {
        self.token = token
        queue = WorkspaceControlQueue(database: try StateDatabase(path: Workspace.databasePath(root: root)))
    }

    /// 128 random bits, in hex.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(generator.next() as UInt64, radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
    }

    /// Why a request was not queued, with the HTTP status to answer.
    struct Refusal: Error {
        var status: Int
        var message: String
    }

    /// The action a request's fields (`action`: kill, rerun, rerun-failed, max-trials or add; `trial`, repeated;
    /// `value`; `parameters`, a JSON object) ask of `view`'s experiment, checked against its trials now.
    static func action(_ fields: [String: [String]], view: ExperimentView) throws -> ControlAction {
        let trials = view.trials
        guard view.isLive else {
            throw Refusal(status: 409, message: "experiment \(view.name) is not running: no run would apply the request "
                          + "(start it with labmake run or labmake tune, and ask while it runs)")
        }
        func numbers() throws -> [Int] {
            let given = (fields["trial"] ?? []).flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            guard !given.isEmpty else { throw Refusal(status: 400, message: "name the trial: trial=N") }
            return try given.map { text in
                guard let number = Int(text), trials.contains(where: { $0.number == number }) else {
                    throw Refusal(status: 400, message: "\(view.name) has no trial \(text)")
                }
                return number
            }
        }
        func status(_ number: Int) -> TrialRecord { trials.first { $0.number == number }! }
        switch fields["action"]?.first ?? "" {
        case "kill":
            let chosen = try numbers()
            for number in chosen where ![.running, .waiting].contains(status(number).status) {
                throw Refusal(status: 409, message: "trial \(number) is \(status(number).status.rawValue), not running")
            }
            return .kill(trials: chosen)
        case "rerun":
            let chosen = try numbers()
            for number in chosen where !status(number).canRunAgain {
                throw Refusal(status: 409, message: "trial \(number) is \(status(number).status.rawValue): only failed and killed trials run again")
            }
            return .rerun(trials: chosen)
        case "rerun-failed":
            let failed = trials.filter { $0.status == .failed }.map(\.number)
            guard !failed.isEmpty else { throw Refusal(status: 409, message: "\(view.name) has no failed trial to rerun") }
            return .rerun(trials: failed)
        case "max-trials":
            let text = fields["value"]?.first?.trimmingCharacters(in: .whitespaces) ?? ""
            guard let count = Int(text) else { throw Refusal(status: 400, message: "max trials: '\(text)' is not a whole number") }
            guard count >= trials.count else {
                throw Refusal(status: 409, message: "max trials \(count): \(trials.count) trials were already proposed")
            }
            guard count <= Experiment.maxTrialsLimit else {
                throw Refusal(status: 400, message: "max trials \(count) is above the limit of \(Experiment.maxTrialsLimit)")
            }
            return .setMaxTrials(count)
        case "add":
            let text = fields["parameters"]?.first ?? ""
            guard let configuration = try? Configuration.parse(json: text) else {
                throw Refusal(status: 400, message: "parameters: '\(text.prefix(200))' is not a JSON object of names and values")
            }
            return .add(configuration)
        case let other:
            throw Refusal(status: 400, message: "unknown action '\(other)': kill, rerun, rerun-failed, max-trials or add")
        }
    }

    /// Queues `action` for the experiment; returns the request's id.
    func ask(_ action: ControlAction, experiment: String) throws -> Int64 {
        try queue.ask(action, experiment: experiment)
    }
}
