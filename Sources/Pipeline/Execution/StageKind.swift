import SystemIO

/// A kind of stage the executor can run: plain commands, and the built-in kinds (`uses:`) that the
/// Stages target registers. The executor knows nothing of what a kind does.
///
/// Lifecycle: the manifest checks a stage's options with ``validate(_:)`` before anything runs; the
/// runner calls ``run(_:context:)`` only when the stage is stale and its outputs cannot be restored,
/// after deleting its declared outputs; afterwards every declared output must exist.
public protocol StageKind: Sendable {
    /// The name a pipeline file uses: `cmd`, or the value of `uses:`.
    var name: String { get }
    /// The implementation version, part of every stage key: bump it when the kind's results change.
    var version: String { get }
    /// Which pipeline parameters a stage of this kind reads, and so is keyed on.
    var parameterUse: ParameterUse { get }
    /// The option names `with:` accepts, for messages that suggest the nearest one; nil accepts any.
    var optionNames: [String]? { get }
    /// What a stage of this kind writes when its `outs:` are not given, e.g. a folder named after it.
    func defaultOutputs(stageName: String) -> [String]
    /// Problems with the stage's options, each with the option's name and what was expected.
    func validate(_ stage: StageDefinition) -> [StageOptionProblem]
    /// Paths the stage reads because its options name them (a data folder, a search space, a template):
    /// they join its `deps`, so the stage is keyed on their contents and runs after the stages that write them.
    func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency]
    /// Does the stage's work; throws ``StageFailure`` (or any error) when it fails.
    func run(_ stage: StageDefinition, context: StageContext) throws
}

/// Which pipeline parameters a stage reads.
public enum ParameterUse: Sendable {
    /// Only those named in the stage's `params:`.
    case declared
    /// Every pipeline parameter (e.g. a sweep starting from the baseline).
    case all
}

/// A problem with one option of a stage, found before anything runs.
public struct StageOptionProblem: Sendable, Hashable {
    /// The option's name in `with:`.
    public var option: String
    public var message: String

    public init(option: String, message: String) {
        self.option = option
        self.message = message
    }
}

/// A path that one of a stage's options names, relative to the workspace.
public struct StageOptionDependency: Sendable, Hashable {
    /// The option's name in `with:`.
    public var option: String
    public var path: String

    public init(option: String, path: String) {
        self.option = option
        self.path = path
    }
}

/// A stage that did not do its work, in words for the user.
public struct StageFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What a running stage may use.
public struct StageContext: Sendable {
    /// The workspace root; paths in the definition are relative to it.
    public var workspaceRoot: String
    /// Settings of the pipeline (device, seed).
    public var settings: PipelineSettings
    /// Runs commands.
    public var launcher: any ProcessLauncher
    /// The file system.
    public var fileSystem: any FileSystem
    /// Receives the stage's output, line by line: shown to the user and kept in its log.
    public var output: @Sendable (String) -> Void
    /// Whether the run is being interrupted; long stages should check it and stop.
    public var isCancelled: @Sendable () -> Bool
    /// The pipeline around the stage and how its stages ran, for stages that report on the run.
    public var pipeline: PipelineView?
    /// A folder of the stage's own for work that is not an output (checkpoints, trial folders); kept
    /// between runs, so that a killed stage can resume from it.
    public var scratchDirectory: String
    /// The workspace's state database, for records a stage keeps of its own (an experiment's trials).
    public var database: StateDatabase
    /// SHA-256 of the content of everything the stage reads: its dependencies and upstream inputs. Part
    /// of the stage's key; work a stage caches itself (a trial) must be keyed on it too.
    public var inputDigest: String

    public init(workspaceRoot: String, settings: PipelineSettings, launcher: any ProcessLauncher,
                fileSystem: any FileSystem, output: @escaping @Sendable (String) -> Void,
                isCancelled: @escaping @Sendable () -> Bool, pipeline: PipelineView? = nil,
                scratchDirectory: String, database: StateDatabase, inputDigest: String) {
        self.workspaceRoot = workspaceRoot
        self.settings = settings
        self.launcher = launcher
        self.fileSystem = fileSystem
        self.output = output
        self.isCancelled = isCancelled
        self.pipeline = pipeline
        self.scratchDirectory = scratchDirectory
        self.database = database
        self.inputDigest = inputDigest
    }
}

/// The pipeline as a running stage sees it: the graph, how each stage ended in this run so far, and
/// each stage's record of its last successful run (when it started, how long it took).
public struct PipelineView: Sendable {
    public var graph: Graph
    /// By stage name; stages that have not finished in this run are absent.
    public var statuses: [String: StageStatus]
    /// By stage name.
    public var records: [String: StageRecord]

    public init(graph: Graph, statuses: [String: StageStatus], records: [String: StageRecord]) {
        self.graph = graph
        self.statuses = statuses
        self.records = records
    }
}

// MARK: - Default implementations

extension StageKind {
    public var parameterUse: ParameterUse { .declared }
    public var optionNames: [String]? { [] }
    public func defaultOutputs(stageName: String) -> [String] { [] }
    public func validate(_ stage: StageDefinition) -> [StageOptionProblem] { [] }
    public func optionDependencies(_ stage: StageDefinition) -> [StageOptionDependency] { [] }
}

/// The stage kinds a pipeline may use, by name.
public struct StageKindRegistry: Sendable {
    private var kinds: [String: any StageKind] = [:]

    public init(_ kinds: [any StageKind] = []) { for kind in kinds { register(kind) } }

    /// Adds a kind, replacing any of the same name.
    public mutating func register(_ kind: any StageKind) { kinds[kind.name] = kind }

    /// The kind with this name.
    public subscript(name: String) -> (any StageKind)? { kinds[name] }

    /// Every registered name, sorted.
    public var names: [String] { kinds.keys.sorted() }
}
