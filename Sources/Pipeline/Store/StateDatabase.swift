import Foundation
import SystemIO
import GRDB

/// The workspace's SQLite database: stage records, the run cache and the file-hash cache.
///
/// Every write is one transaction, so a run killed at any moment leaves either the old record or
/// the new one, and a record is written only after the artifacts it names are in the store.
public final class StateDatabase: Sendable {
    private let queue: DatabaseQueue
    var writer: DatabaseQueue { queue }
    /// Opened with ``init(readingOnly:)``: caches (file hashes, stat signatures) are not written, and
    /// nothing else may be.
    public let isReadOnly: Bool

    /// Opens (creating and migrating as needed) the database at `path`; nil path means in memory.
    public init(path: String?) throws {
        isReadOnly = false
        var config = Configuration()
        config.busyMode = .timeout(10)
        // Read pages through a memory map rather than one pread each: a no-op run reads every record.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA mmap_size = 268435456") }
        if let path {
            // Two processes that open a fresh workspace at once would both create its tables: the
            // setup (WAL, migrations) takes an exclusive lock of its own, held only while it runs.
            let setup = try SetupLock(path: path + "-setup.lock")
            defer { setup.release() }
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL")
            }
            try StateDatabase.migrator.migrate(queue)
        } else {
            queue = try DatabaseQueue(configuration: config)
            try StateDatabase.migrator.migrate(queue)
        }
    }

    /// Opens an existing workspace database for reading only, as a second process beside a run (the
    /// dashboard): in WAL mode its reads never block the run's writes nor wait for them. Throws when
    /// the file is missing or is not a labmake database.
    public init(readingOnly path: String) throws {
        isReadOnly = true
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        // A run that has just created the file may still be creating its tables: wait for its setup to end.
        let setup = SetupLock(awaiting: path + "-setup.lock")
        defer { setup?.release() }
        queue = try DatabaseQueue(path: path, configuration: config)
        let tables = try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
        guard tables.contains("stage_record") else {
            throw FileSystemError(path: path, reason: "not a labmake workspace database (no stage records)")
        }
    }

    /// A number that changes whenever another connection commits (SQLite's `PRAGMA data_version`):
    /// what a reader polls to learn that a run wrote something.
    public func dataVersion() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA data_version") ?? 0 }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE stage_record (
                    stage TEXT PRIMARY KEY, key TEXT NOT NULL, definition TEXT NOT NULL,
                    deps TEXT NOT NULL, inputs TEXT NOT NULL, outputs TEXT NOT NULL,
                    started_at REAL NOT NULL, seconds REAL NOT NULL);
                CREATE TABLE run_cache (
                    key TEXT PRIMARY KEY, stage TEXT NOT NULL, outputs TEXT NOT NULL, created_at REAL NOT NULL);
                CREATE TABLE file_hash (
                    path TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL,
                    size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, hashed_at_ns INTEGER NOT NULL,
                    executable INTEGER NOT NULL, id TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v2: stat signatures") { db in
            try db.execute(sql: "ALTER TABLE stage_record ADD COLUMN signature TEXT")
        }
        migrator.registerMigration("v3: experiment trials") { db in
            try db.execute(sql: """
                CREATE TABLE trial (
                    experiment TEXT NOT NULL, number INTEGER NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL,
                    record TEXT NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (experiment, number));
                CREATE INDEX trial_key ON trial (key, status);
                """)
        }
        migrator.registerMigration("v4: trials by save time") { db in
            // A reader beside a run (the dashboard) catches up on what was saved since it last looked, and
            // counts trials per status, without reading every record.
            try db.execute(sql: "CREATE INDEX trial_saved ON trial (experiment, updated_at); CREATE INDEX trial_status ON trial (experiment, status, updated_at)")
        }
        migrator.registerMigration("v5: control requests") { db in
            // Requests to a running experiment from `labmake serve --control`, answered by the run.
            try db.execute(sql: """
                CREATE TABLE control_request (
                    id INTEGER PRIMARY KEY AUTOINCREMENT, experiment TEXT NOT NULL, action TEXT NOT NULL,
                    requested_at REAL NOT NULL, state TEXT NOT NULL DEFAULT 'pending', answer TEXT, answered_at REAL);
                CREATE INDEX control_request_pending ON control_request (experiment, state);
                """)
        }
        return migrator
    }

    // MARK: - Stage records

    /// The last successful record of every stage, by stage name.
    public func records() throws -> [String: StageRecord] {
        try queue.read { db in
            var result: [String: StageRecord] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT \(StateDatabase.recordColumns) FROM stage_record") {
                let record = StateDatabase.record(row)
                result[record.stage] = record
            }
            return result
        }
    }

    /// The last successful record of one stage.
    public func record(stage: String) throws -> StageRecord? {
        try queue.read { db in
            try Row.fetchOne(db, sql: "SELECT \(StateDatabase.recordColumns) FROM stage_record WHERE stage = ?",
                             arguments: [stage]).map(StateDatabase.record)
        }
    }

    /// What a no-op run needs of every stage's record: its stat signature and outputs, by stage name.
    public func summaries() throws -> [String: RecordSummary] {
        try queue.read { db in
            var result: [String: RecordSummary] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT stage, signature, outputs FROM stage_record")
            while let row = try rows.next() {
                let stage: String = row[0]
                result[stage] = RecordSummary(signature: row[1], outputs: ContentMap(encoded: row[2]))
            }
            return result
        }
    }

    private static let recordColumns = "stage, key, definition, deps, inputs, outputs, started_at, seconds"

    private static func record(_ row: Row) -> StageRecord {
        StageRecord(stage: row[0], key: row[1], definition: row[2], deps: ContentMap(encoded: row[3]),
                    inputs: ContentMap(encoded: row[4]), outputs: ContentMap(encoded: row[5]),
                    startedAt: row[6], seconds: row[7])
    }

    /// Saves a stage's record (with its stat signature, if any), its run-cache entry and newly learnt
    /// file hashes, in one transaction.
    public func save(_ record: StageRecord, signature: String? = nil, fileHashes: [FileHashEntry]) throws {
        try queue.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO stage_record
                    (stage, key, definition, deps, inputs, outputs, started_at, seconds, signature)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [record.stage, record.key, record.definition, record.deps.encoded,
                            record.inputs.encoded, record.outputs.encoded, record.startedAt, record.seconds,
                            signature])
            try db.execute(
                sql: "INSERT OR REPLACE INTO run_cache (key, stage, outputs, created_at) VALUES (?, ?, ?, ?)",
                arguments: [record.key, record.stage, record.outputs.encoded, record.startedAt])
            try StateDatabase.insert(fileHashes, db)
        }
    }

    /// Sets the stat signatures of stages found up to date by comparing content, with new file hashes.
    public func update(signatures: [(stage: String, signature: String)], fileHashes: [FileHashEntry]) throws {
        guard !isReadOnly, !signatures.isEmpty || !fileHashes.isEmpty else { return }
        try queue.write { db in
            let statement = try db.cachedStatement(sql: "UPDATE stage_record SET signature = ? WHERE stage = ?")
            for (stage, signature) in signatures { try statement.execute(arguments: [signature, stage]) }
            try StateDatabase.insert(fileHashes, db)
        }
    }

    /// Moves the write-ahead log into the database file, so the next run reads one compact file.
    public func checkpoint() throws {
        guard !isReadOnly else { return }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }

    /// Drops a stage's record (its outputs are no longer what the record says).
    public func forget(stage: String) throws {
        try queue.write { db in try db.execute(sql: "DELETE FROM stage_record WHERE stage = ?", arguments: [stage]) }
    }

    // MARK: - Run cache

    /// The outputs a run with this key produced, if any run did.
    public func cachedOutputs(key: String) throws -> ContentMap? {
        try queue.read { db in
            try String.fetchOne(db, sql: "SELECT outputs FROM run_cache WHERE key = ?", arguments: [key])
                .map(ContentMap.init(encoded:))
        }
    }

    /// Deletes run-cache entries other than those with the given keys; returns how many it deleted.
    @discardableResult
    public func pruneRunCache(keeping keys: Set<String>) throws -> Int {
        try queue.write { db in
            var deleted = 0
            for key in try String.fetchAll(db, sql: "SELECT key FROM run_cache") where !keys.contains(key) {
                try db.execute(sql: "DELETE FROM run_cache WHERE key = ?", arguments: [key])
                deleted += 1
            }
            return deleted
        }
    }

    // MARK: - File hashes

    /// Every remembered file hash, by absolute path.
    public func fileHashes() throws -> [String: FileHashEntry] {
        try queue.read { db in
            var result: [String: FileHashEntry] = [:]
            result.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM file_hash") ?? 0)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT path, device, inode, size, mtime_ns, hashed_at_ns, executable, id FROM file_hash")
            while let row = try rows.next() {
                let id: String = row[7]
                guard let content = ContentID(Substring(id)) else { continue }
                let stat = FileStat(
                    kind: .file, device: UInt64(bitPattern: row[1]), inode: UInt64(bitPattern: row[2]),
                    size: row[3], mtimeNanoseconds: row[4], isExecutable: row[6])
                let path: String = row[0]
                result[path] = FileHashEntry(path: path, stat: stat, hashedAtNanoseconds: row[5], id: content)
            }
            return result
        }
    }

    /// Remembers file hashes.
    public func save(fileHashes: [FileHashEntry]) throws {
        guard !isReadOnly, !fileHashes.isEmpty else { return }
        try queue.write { db in try StateDatabase.insert(fileHashes, db) }
    }

    private static func insert(_ entries: [FileHashEntry], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO file_hash (path, device, inode, size, mtime_ns, hashed_at_ns, executable, id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for e in entries {
            try statement.execute(arguments: [
                e.path, Int64(bitPattern: e.stat.device), Int64(bitPattern: e.stat.inode), e.stat.size,
                e.stat.mtimeNanoseconds, e.hashedAtNanoseconds, e.stat.isExecutable, e.id.description,
            ])
        }
    }
}
