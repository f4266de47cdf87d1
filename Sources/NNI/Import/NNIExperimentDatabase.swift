import Foundation
import GRDB
import SystemIO
import Tuner

/// An NNI experiment as its manager stored it in `db/nni.sqlite` (NNI 1.x to 3.0): the profile
/// (`ExperimentProfile`: id and config), each trial's events (`TrialJobEvent`: WAITING with its
/// parameters, RUNNING, then how it ended) and its metrics (`MetricData`: PERIODICAL and FINAL).
public struct NNIExperimentDatabase: Sendable {
    /// NNI's experiment id (`8w4qubid`).
    public var id: String
    /// `experimentName` of its config, if it had one.
    public var experimentName: String?
    /// `optimize_mode` of its tuner or assessor, if it said.
    public var direction: Direction?
    /// Its trials in the order NNI started them, numbered from 1, as labmake records trials.
    public var trials: [TrialRecord]

    /// The name the experiment gets in a labmake workspace: `nni-ID`.
    public var labmakeName: String { "nni-" + id }

    /// Reads the experiment at `path`: its folder (`~/nni-experiments/ID`), its `db` folder, or the
    /// `nni.sqlite` file itself. The file is opened read-only.
    public static func read(_ path: String, fileSystem: any FileSystem = LocalFileSystem()) throws -> NNIExperimentDatabase {
        var file = path
        if fileSystem.stat(path)?.kind == .directory {
            file = fileSystem.exists(path + "/db/nni.sqlite") ? path + "/db/nni.sqlite" : path + "/nni.sqlite"
        }
        guard fileSystem.stat(file)?.kind == .file else {
            throw NNIError("\(path): no NNI experiment here (expected an experiment folder with db/nni.sqlite, or the nni.sqlite file)")
        }
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        do {
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            return try queue.read { db in try read(db, file: file) }
        } catch let error as NNIError {
            throw error
        } catch let error as DatabaseError {
            throw NNIError("\(file): not an NNI experiment database: \(error.message ?? "\(error)")")
        } catch {
            throw NNIError("\(file): \(error)")
        }
    }

    private static func read(_ db: GRDB.Database, file: String) throws -> NNIExperimentDatabase {
        for table in ["ExperimentProfile", "TrialJobEvent", "MetricData"] where try !db.tableExists(table) {
            throw NNIError("\(file): not an NNI experiment database: it has no \(table) table")
        }
        guard let profile = try Row.fetchOne(db, sql: "SELECT id, params FROM ExperimentProfile ORDER BY revision DESC LIMIT 1") else {
            throw NNIError("\(file): the experiment has no profile (ExperimentProfile is empty)")
        }
        let id: String = profile["id"] ?? "unknown"
        var experiment = NNIExperimentDatabase(id: NNIImportedTrials.safeID(id), experimentName: nil, direction: nil, trials: [])
        if let params: String = profile["params"], case .object(let fields)? = try? NNIMetricRecord.lenientJSON(Data(params.utf8)) {
            experiment.readProfile(fields)
        }
        var trials = NNIImportedTrials(experimentID: experiment.id)
        for row in try Row.fetchAll(db, sql: "SELECT timestamp, trialJobId, event, data, sequenceId FROM TrialJobEvent ORDER BY timestamp, rowid") {
            try trials.event(job: row["trialJobId"] ?? "", event: row["event"] ?? "", timestamp: row["timestamp"], data: row["data"],
                             sequence: row["sequenceId"])
        }
        for row in try Row.fetchAll(db, sql: "SELECT timestamp, trialJobId, type, sequence, data FROM MetricData ORDER BY timestamp, rowid") {
            trials.metric(job: row["trialJobId"] ?? "", type: row["type"] ?? "", sequence: row["sequence"], data: row["data"])
        }
        experiment.trials = trials.records()
        return experiment
    }

    /// The config NNI kept: v2 (`experimentName`, `tuner.classArgs.optimize_mode`) or v1.
    private mutating func readProfile(_ fields: [String: JSONValue]) {
        if case .string(let name)? = fields["experimentName"] ?? fields["experiment_name"], !name.isEmpty { experimentName = name }
        for algorithm in ["tuner", "assessor", "advisor"] {
            guard case .object(let settings)? = fields[algorithm],
                  case .object(let arguments)? = settings["classArgs"] ?? settings["class_args"],
                  case .string(let mode)? = arguments["optimize_mode"], let parsed = Direction(rawValue: mode.lowercased())
            else { continue }
            direction = parsed
            return
        }
    }
}
