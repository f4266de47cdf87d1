/// One stage of a pipeline, resolved: parameters bound, `${params.…}` interpolated, matrix expanded.
///
/// A stage is either a command stage (``kind`` is ``StageDefinition/commandKind`` and ``command`` is
/// set) or a built-in kind looked up in a ``StageKindRegistry`` (``with`` holds its options).
public struct StageDefinition: Sendable, Hashable {
    /// The kind of plain shell-command stages.
    public static let commandKind = "cmd"

    /// Unique within the pipeline, e.g. `prep` or `train@lr=0.1`.
    public var name: String
    /// `cmd`, or the name a `uses:` gave.
    public var kind: String
    /// The shell command of a command stage, parameters interpolated.
    public var command: String?
    /// The parameters the stage reads, by name, resolved.
    public var params: [String: ConfigValue]
    /// A built-in kind's options (`with:`), resolved.
    public var with: [String: ConfigValue]
    /// Files and directories the stage reads, relative to the workspace.
    public var deps: [String]
    /// Files and directories the stage writes, relative to the workspace.
    public var outs: [String]
    /// Stages that must run first, named explicitly.
    public var needs: [String]
    /// Where the stage is declared, for messages.
    public var location: SourceLocation?
    /// The stage's own `executor:` and `slurm:`, over the pipeline's; nil when it has neither.
    public var executor: ExecutorSetting?

    public init(name: String, kind: String = StageDefinition.commandKind, command: String? = nil,
                params: [String: ConfigValue] = [:], with: [String: ConfigValue] = [:],
                deps: [String] = [], outs: [String] = [], needs: [String] = [],
                location: SourceLocation? = nil, executor: ExecutorSetting? = nil) {
        self.name = name
        self.kind = kind
        self.command = command
        self.params = params
        self.with = with
        self.deps = deps
        self.outs = outs
        self.needs = needs
        self.location = location
        self.executor = executor
    }

    /// Whether this is a plain shell-command stage.
    public var isCommand: Bool { kind == StageDefinition.commandKind }
}
