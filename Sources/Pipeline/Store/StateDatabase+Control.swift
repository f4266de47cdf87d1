import Foundation
import GRDB

/// One request to a running experiment as stored: its action is opaque JSON that the tuner defines.
public struct StoredControlRequest: Sendable, Equatable {
    public var id: Int64
    public var experiment: String
    public var action: String
    public var requestedAt: Double
    /// `pending`, `applied` or `refused`.
    public var state: String
    public var answer: String?
    public var answeredAt: Double?
}

/// Requests to running experiments (`labmake serve --control` asks, the run answers), kept beside
/// the experiments' trials so that the page that asked sees the answer as it sees a trial change.
extension StateDatabase {
    /// Adds a pending request for `experiment`; returns its id.
    public func addControlRequest(experiment: String, action: String, time: Double) throws -> Int64 {
        try writer.write { db in
            try db.execute(sql: "INSERT INTO control_request (experiment, action, requested_at) VALUES (?, ?, ?)",
                           arguments: [experiment, action, time])
            return db.lastInsertedRowID
        }
    }

    /// The pending requests for `experiment`, oldest first.
    public func pendingControlRequests(experiment: String) throws -> [StoredControlRequest] {
        try controlRequests(sql: "WHERE experiment = ? AND state = 'pending' ORDER BY id", [experiment])
    }

    /// The last `limit` requests for `experiment`, newest first.
    public func controlRequests(experiment: String, limit: Int) throws -> [StoredControlRequest] {
        try controlRequests(sql: "WHERE experiment = ? ORDER BY id DESC LIMIT ?", [experiment, limit])
    }

    /// Records the answer to request `id`: `state` is `applied` or `refused`.
    public func answerControlRequest(id: Int64, state: String, answer: String, time: Double) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE control_request SET state = ?, answer = ?, answered_at = ? WHERE id = ? AND state = 'pending'",
                           arguments: [state, answer, time, id])
        }
    }

    /// Whether this database holds control requests (one written by a labmake older than them does not).
    public func hasControlRequests() throws -> Bool {
        try writer.read { db in try db.tableExists("control_request") }
    }

    private func controlRequests(sql: String, _ arguments: StatementArguments) throws -> [StoredControlRequest] {
        try writer.read { db in
            guard try db.tableExists("control_request") else { return [] }
            return try Row.fetchAll(db, sql: "SELECT id, experiment, action, requested_at, state, answer, answered_at FROM control_request " + sql,
                                    arguments: arguments).map {
                StoredControlRequest(id: $0[0], experiment: $0[1], action: $0[2], requestedAt: $0[3], state: $0[4], answer: $0[5], answeredAt: $0[6])
            }
        }
    }
}
