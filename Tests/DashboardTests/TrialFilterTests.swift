@testable import Dashboard
import Foundation
import Testing
import Tuner

/// The dashboard's filter expressions.
@Suite("Trial filters")
struct TrialFilterTests {
    static func trial(_ number: Int, _ status: TrialStatus, metric: Double?, _ values: [String: ParameterValue], steps: Int = 0) -> TrialRecord {
        TrialRecord(number: number, configuration: Configuration(values: values), key: "k\(number)", status: status,
                    startedAt: Date(timeIntervalSince1970: 0), endedAt: Date(timeIntervalSince1970: Double(number)),
                    metric: metric, intermediates: Array(repeating: 0.5, count: steps))
    }

    static let trials = [
        trial(1, .succeeded, metric: 0.9, ["lr": .double(0.001), "optimizer": .nested(["_name": .string("adam"), "beta": .double(0.9)])], steps: 3),
        trial(2, .succeeded, metric: 0.7, ["lr": .double(0.1), "optimizer": .nested(["_name": .string("sgd"), "momentum": .double(0.5)])]),
        trial(3, .failed, metric: nil, ["lr": .double(0.01), "optimizer": .nested(["_name": .string("sgd"), "momentum": .double(0.9)])]),
        trial(4, .earlyStopped, metric: nil, ["lr": .double(0.01), "optimizer": .nested(["_name": .string("adam"), "beta": .double(0.99)])], steps: 2),
    ]

    func numbers(_ text: String) throws -> [Int] {
        let filter = try TrialFilter(text, parameters: ["lr", "optimizer", "optimizer.beta", "optimizer.momentum"])
        return Self.trials.filter(filter.matches).map(\.number)
    }

    @Test("terms combine with and; each operator compares numbers as numbers and choices as text", arguments: [
        ("", [1, 2, 3, 4]),
        ("status:SUCCEEDED", [1, 2]),
        ("status:succeeded,early_stopped", [1, 2, 4]),
        ("status!=FAILED", [1, 2, 4]),
        ("metric>0.8", [1]),
        ("metric<=0.7", [2]),
        ("metric!=0.9", [2, 3, 4]),
        ("lr<0.05 status:FAILED", [3]),
        ("lr>=0.01", [2, 3, 4]),
        ("lr:0.001,0.1", [1, 2]),
        ("optimizer=sgd", [2, 3]),
        ("optimizer:adam,sgd optimizer.beta>0.95", [4]),
        ("optimizer.momentum=0.5", [2]),
        ("optimizer.momentum!=0.5", [1, 3, 4]),
        ("trial>=3", [3, 4]),
        ("seconds<2.5", [1, 2]),
        ("steps>0", [1, 4]),
    ])
    func matches(_ text: String, _ expected: [Int]) throws {
        #expect(try numbers(text) == expected)
    }

    @Test("what cannot be read is refused with the reason", arguments: [
        ("lrr<0.1", "unknown field 'lrr' in 'lrr<0.1' (did you mean 'lr'?)"),
        ("status:DONE", "unknown status 'DONE' in 'status:DONE'"),
        ("metric>high", "'high' in 'metric>high' is not a number"),
        ("optimizer<adam", "'optimizer<adam' compares with 'adam', which is not a number"),
        ("metric", "'metric' is not a term"),
        ("=3", "'=3' is not a term"),
    ])
    func problems(_ text: String, _ message: String) {
        do {
            _ = try numbers(text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect("\(error)".hasPrefix(message), "\(error)")
        }
    }
}
