/// Where a stage's work runs — this machine, or a Slurm cluster as batch jobs — and what each job asks
/// the cluster for: `settings: { executor: slurm, slurm: {…} }`, and a stage's own `executor:` and
/// `slurm:` over them. Never part of a stage's or a trial's key: a result computed on the cluster is
/// reused on a laptop, and back.
public struct ExecutorSetting: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Processes on this machine.
        case local
        /// One Slurm batch job per trial or stage.
        case slurm
    }

    /// Nil in a stage that keeps the pipeline's.
    public var kind: Kind?
    /// sbatch options by name (``slurmKeys``), checked by the manifest; a stage's replace the pipeline's one by one.
    public var slurm: [String: ConfigValue]

    /// The options `slurm:` takes.
    public static let slurmKeys = ["partition", "account", "qos", "time", "cpus", "memory", "gpus", "gres", "flags", "poll_interval"]

    public init(kind: Kind? = nil, slurm: [String: ConfigValue] = [:]) {
        self.kind = kind
        self.slurm = slurm
    }

    /// The setting with a stage's own over it.
    public func overridden(by stage: ExecutorSetting?) -> ExecutorSetting {
        guard let stage else { return self }
        return ExecutorSetting(kind: stage.kind ?? kind, slurm: slurm.merging(stage.slurm) { _, own in own })
    }

    /// Whether work runs as Slurm jobs.
    public var isSlurm: Bool { kind == .slurm }
}
