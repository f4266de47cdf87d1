/// The Slurm controller as labmake uses it: submit a batch script, list an experiment's jobs in one
/// call, look one job up, cancel. ``SlurmCommands`` runs Slurm's commands; tests may fake it.
public protocol SlurmController: Sendable {
    /// Submits `script` with `arguments` (sbatch options); returns the job id.
    func submit(script: String, arguments: [String]) throws -> String
    /// Every job of this user named `jobName`, in any state Slurm still remembers: one call, however
    /// many jobs.
    func queue(jobName: String) throws -> [SlurmJobStatus]
    /// Every job of this user whose comment starts with `commentPrefix`.
    func queue(commentPrefix: String) throws -> [SlurmJobStatus]
    /// One job, with its exit code; nil when the controller no longer knows it.
    func lookup(_ id: String) throws -> SlurmJobStatus?
    /// Cancels these jobs; cancelling a job that is over is harmless.
    func cancel(_ ids: [String]) throws
}

/// A Slurm command that failed: which, and what it said.
public struct SlurmError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
