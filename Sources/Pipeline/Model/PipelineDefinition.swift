/// A whole pipeline as declared and resolved: its settings and its stages in file order.
public struct PipelineDefinition: Sendable {
    /// The pipeline's `name:`, or the file's base name.
    public var name: String
    /// The `settings:` block.
    public var settings: PipelineSettings
    /// The pipeline-wide `params:`, after `--set` overrides.
    public var params: [String: ConfigValue]
    /// The stages, matrix stages expanded, and their dependencies.
    public let graph: Graph

    /// Every stage in topological order (declaration order wherever dependencies allow).
    public var stages: [StageDefinition] { graph.stages }

    public init(name: String, settings: PipelineSettings = PipelineSettings(),
                params: [String: ConfigValue] = [:], graph: Graph) {
        self.name = name
        self.settings = settings
        self.params = params
        self.graph = graph
    }
}

/// The `settings:` of a pipeline.
public struct PipelineSettings: Sendable, Hashable {
    /// `auto`, `cpu`, `vulkan`, or `vulkan:N`.
    public var device: String
    /// The seed every seeded stage starts from.
    public var seed: Int
    /// How many stages may run at once; nil means one per core.
    public var jobs: Int?
    /// Where stages and trials run unless a stage says otherwise.
    public var executor: ExecutorSetting

    public init(device: String = "auto", seed: Int = 42, jobs: Int? = nil, executor: ExecutorSetting = ExecutorSetting(kind: .local)) {
        self.device = device
        self.seed = seed
        self.jobs = jobs
        self.executor = executor
    }

    /// Where `stage`'s work runs: the pipeline's executor with the stage's own over it.
    public func executor(for stage: StageDefinition) -> ExecutorSetting {
        executor.overridden(by: stage.executor)
    }
}
