import Foundation
import Pipeline
import SystemIO
import Tuner

/// The tuner's trials in the workspace's state database.
public struct WorkspaceTrialStore: TrialStore {
    public let database: StateDatabase
    private let clock: any Clock

    public init(database: StateDatabase, clock: any Clock = SystemClock()) {
        self.database = database
        self.clock = clock
    }

    public func trials(experiment: String) throws -> [TrialRecord] {
        try database.trialRecords(experiment: experiment).map { try Self.decoder.decode(TrialRecord.self, from: Data($0.utf8)) }
    }

    public func save(_ trial: TrialRecord, experiment: String) throws {
        let record = String(decoding: try Self.encoder.encode(trial), as: UTF8.self)
        try database.saveTrial(experiment: experiment, number: trial.number, key: trial.key, status: trial.status.rawValue, record: record,
                              time: clock.now())
    }

    public func finishedTrial(key: String) throws -> TrialRecord? {
        try database.trialRecord(key: key, status: TrialStatus.succeeded.rawValue)
            .map { try Self.decoder.decode(TrialRecord.self, from: Data($0.utf8)) }
    }

    /// The JSON coding of trial records, shared by storage and `labmake trials --json`.
    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.dateEncodingStrategy = .secondsSince1970
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }()

    /// A trial from its stored record.
    public static func decode(_ record: String) throws -> TrialRecord {
        try decoder.decode(TrialRecord.self, from: Data(record.utf8))
    }

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .secondsSince1970
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }()
}
