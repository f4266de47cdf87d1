import Pipeline

/// The pipeline as `labmake status` sees it, for the dashboard's overview: each stage's status and the
/// reasons it is stale, in the same words. The command line computes it (it knows how to read the
/// pipeline file); the dashboard only shows it.
public struct PipelineState: Sendable, Equatable {
    /// One stage.
    public struct Stage: Sendable, Equatable {
        public var name: String
        /// The stage's kind: `cifar10`, `sweep`, `tune`, `train`, `report`, `cmd`.
        public var kind: String
        /// `up-to-date`, `stale`, `running`, `failed`.
        public var status: String
        /// Why it is stale (`labmake status`'s words), or why it cannot run.
        public var reasons: [String]
        /// The stages it reads from, by index into ``PipelineState/stages``.
        public var upstream: [Int]
        /// For a sweep or tune stage: whether its metric is maximized (its `direction`).
        public var maximize: Bool?
        /// For a sweep or tune stage: its `max_trials`, when it says.
        public var maxTrials: Int?
        /// For a tune stage: its tuner and assessor, as written.
        public var tuner: String?
        public var assessor: String?
        /// For a sweep or tune stage: whether its trials run a command (else they are labmake's built-in training).
        public var commandTrials: Bool
        /// What it writes, relative to the workspace root (a report stage's folder holds its Markdown and charts).
        public var outs: [String]
        /// The stage as resolved from the pipeline file (parameters bound, matrix expanded): `uses` or `cmd`,
        /// `params`, `with`, `deps`, `outs`, `needs`.
        public var definition: ConfigValue?
        /// Where the pipeline file declares it (`labmake.yaml:12:3`).
        public var location: String?
        /// A sweep or tune stage's search space as it reads it (the file's text, or the inline mapping), and from where.
        public var searchSpace: (text: String, source: String)?

        public init(name: String, kind: String, status: String, reasons: [String] = [], upstream: [Int] = [], maximize: Bool? = nil,
                    maxTrials: Int? = nil, tuner: String? = nil, assessor: String? = nil, commandTrials: Bool = false,
                    outs: [String] = [], definition: ConfigValue? = nil, location: String? = nil,
                    searchSpace: (text: String, source: String)? = nil) {
            self.name = name
            self.kind = kind
            self.status = status
            self.reasons = reasons
            self.upstream = upstream
            self.maximize = maximize
            self.maxTrials = maxTrials
            self.tuner = tuner
            self.assessor = assessor
            self.commandTrials = commandTrials
            self.outs = outs
            self.definition = definition
            self.location = location
            self.searchSpace = searchSpace
        }

        public static func == (a: Stage, b: Stage) -> Bool {
            a.name == b.name && a.kind == b.kind && a.status == b.status && a.reasons == b.reasons && a.upstream == b.upstream
                && a.maximize == b.maximize && a.maxTrials == b.maxTrials && a.tuner == b.tuner && a.assessor == b.assessor
                && a.commandTrials == b.commandTrials && a.outs == b.outs && a.definition == b.definition && a.location == b.location
                && a.searchSpace?.text == b.searchSpace?.text && a.searchSpace?.source == b.searchSpace?.source
        }
    }

    /// The pipeline file, as given.
    public var file: String
    public var stages: [Stage]
    /// The pid of the `labmake run` that holds the workspace, if one does.
    public var runningPid: Int32?
    /// Why the pipeline could not be judged (a malformed file, a missing dependency); the stages are then empty.
    public var problem: String?

    public init(file: String, stages: [Stage], runningPid: Int32? = nil, problem: String? = nil) {
        self.file = file
        self.stages = stages
        self.runningPid = runningPid
        self.problem = problem
    }

    /// The stage whose experiments are named `STAGE#digest`.
    public func stage(ofExperiment experiment: String) -> Stage? {
        guard let hash = experiment.firstIndex(of: "#") else { return nil }
        let name = String(experiment[..<hash])
        return stages.first { $0.name == name }
    }
}

/// Computes the pipeline's state on demand (the command line's dry run); nil when there is no pipeline file.
public typealias PipelineStateSource = @Sendable () -> PipelineState?
