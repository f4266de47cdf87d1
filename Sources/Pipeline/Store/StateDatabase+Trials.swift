import Foundation
import GRDB

/// Experiment trials (the tuner's), stored as opaque records next to the stage records so that one
/// database holds a workspace's whole history. The engine does not read them.
extension StateDatabase {
    /// Inserts or replaces trial `number` of `experiment`, saved at `time` (seconds since the epoch).
    public func saveTrial(experiment: String, number: Int, key: String, status: String, record: String, time: Double) throws {
        try writer.write { db in
            try db.execute(sql: """
                INSERT OR REPLACE INTO trial (experiment, number, key, status, record, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [experiment, number, key, status, record, time])
        }
    }

    /// The records of `experiment`'s trials, by number.
    public func trialRecords(experiment: String) throws -> [String] {
        try writer.read { db in
            try String.fetchAll(db, sql: "SELECT record FROM trial WHERE experiment = ? ORDER BY number", arguments: [experiment])
        }
    }

    /// The records of `experiment`'s trials saved at or after `time`, with their numbers and save times:
    /// what a reader that keeps the earlier ones needs to catch up.
    public func trialRecords(experiment: String, savedSince time: Double) throws -> [(number: Int, record: String, savedAt: Double)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT number, record, updated_at FROM trial WHERE experiment = ? AND updated_at >= ? ORDER BY number",
                             arguments: [experiment, time]).map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// How many trials `experiment` has.
    public func trialCount(experiment: String) throws -> Int {
        try writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trial WHERE experiment = ?", arguments: [experiment]) ?? 0 }
    }

    /// Every experiment with its trial count per status and its last save time.
    public func experimentSummaries() throws -> [(name: String, statuses: [String: Int], savedAt: Double)] {
        try writer.read { db in
            var result: [String: (statuses: [String: Int], savedAt: Double)] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT experiment, status, COUNT(*), MAX(updated_at) FROM trial GROUP BY experiment, status") {
                let name: String = row[0]
                result[name, default: ([:], 0)].statuses[row[1]] = row[2]
                result[name]!.savedAt = Swift.max(result[name]!.savedAt, row[3])
            }
            return result.map { ($0.key, $0.value.statuses, $0.value.savedAt) }.sorted { $0.savedAt > $1.savedAt }
        }
    }

    /// Every trial with `key`, in any experiment, oldest save first.
    public func trials(key: String) throws -> [(experiment: String, number: Int, record: String)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT experiment, number, record FROM trial WHERE key = ? ORDER BY updated_at", arguments: [key])
                .map { ($0[0], $0[1], $0[2]) }
        }
    }

    /// A record with `key` and `status`, from any experiment.
    public func trialRecord(key: String, status: String) throws -> String? {
        try writer.read { db in
            try String.fetchOne(db, sql: "SELECT record FROM trial WHERE key = ? AND status = ? LIMIT 1", arguments: [key, status])
        }
    }

    /// Every experiment with its trial count, most recently updated first.
    public func experiments() throws -> [(name: String, trials: Int)] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "SELECT experiment, COUNT(*) FROM trial GROUP BY experiment ORDER BY MAX(updated_at) DESC")
                .map { ($0[0], $0[1]) }
        }
    }
}

extension StateDatabase {
    /// Forgets every trial of `experiment`.
    public func removeTrials(experiment: String) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM trial WHERE experiment = ?", arguments: [experiment]) }
    }
}
