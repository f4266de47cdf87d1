import Executors

/// The Slurm jobs of a workspace, found by their comment (`labmake:WORKSPACE8:STAGE:…`), for
/// `labmake cancel`.
public struct WorkspaceSlurmJobs {
    public let workspaceRoot: String
    private let controller: any SlurmController

    public init(workspaceRoot: String, controller: any SlurmController = SlurmCommands()) {
        self.workspaceRoot = workspaceRoot
        self.controller = controller
    }

    /// A job of the workspace.
    public struct Job: Sendable, Hashable {
        public var id: String
        /// Slurm's state: `PENDING`, `RUNNING`…
        public var state: String
        /// The stage that submitted it.
        public var stage: String
    }

    /// The workspace's jobs that are not over, of one stage or of all (a job already completing is over).
    public func active(stage: String? = nil) throws -> [Job] {
        let workspace = StageJobExecutor.commentPrefix(workspaceRoot: workspaceRoot)
        return try controller.queue(commentPrefix: StageJobExecutor.commentPrefix(workspaceRoot: workspaceRoot, stage: stage))
            .filter { $0.phase != .finished && $0.baseState != "COMPLETING" }
            .map { Job(id: $0.id, state: $0.state, stage: $0.comment.dropFirst(workspace.count).split(separator: ":").first.map(String.init) ?? "") }
    }

    /// Cancels the workspace's jobs that are not over, of one stage or of all; returns them.
    public func cancel(stage: String? = nil) throws -> [Job] {
        let jobs = try active(stage: stage)
        try controller.cancel(jobs.map(\.id))
        return jobs
    }
}
