/// What each job of a stage asks Slurm for (`settings.slurm` with a stage's `slurm:` over it), and how
/// often labmake asks the controller about them.
public struct SlurmOptions: Sendable, Hashable {
    public var partition: String?
    public var account: String?
    public var qos: String?
    /// `--time`: minutes (`90`) or Slurm's `[D-]HH:MM:SS`; nil: the partition's default.
    public var time: String?
    /// `--cpus-per-task`.
    public var cpus: Int?
    /// `--mem`: `16G`, `4000M`.
    public var memory: String?
    /// `--gpus`: a count (`1`) or `TYPE:COUNT` (`a100:2`).
    public var gpus: String?
    /// `--gres`, for sites that want it instead of `--gpus`: `gpu:1`, `gpu:a100:2`.
    public var gres: String?
    /// Further sbatch options, each one word: `--constraint=v100`, `--exclude=node7`.
    public var flags: [String]
    /// Seconds between two `squeue` calls (one per round for all of a stage's jobs).
    public var pollInterval: Double

    /// The default seconds between two `squeue` calls: a site's controller serves many users.
    public static let defaultPollInterval = 15.0

    public init(partition: String? = nil, account: String? = nil, qos: String? = nil, time: String? = nil, cpus: Int? = nil,
                memory: String? = nil, gpus: String? = nil, gres: String? = nil, flags: [String] = [],
                pollInterval: Double = SlurmOptions.defaultPollInterval) {
        self.partition = partition
        self.account = account
        self.qos = qos
        self.time = time
        self.cpus = cpus
        self.memory = memory
        self.gpus = gpus
        self.gres = gres
        self.flags = flags
        self.pollInterval = pollInterval
    }

    /// The options as sbatch arguments.
    public var sbatchArguments: [String] {
        var arguments: [String] = []
        if let partition { arguments.append("--partition=\(partition)") }
        if let account { arguments.append("--account=\(account)") }
        if let qos { arguments.append("--qos=\(qos)") }
        if let time { arguments.append("--time=\(time)") }
        if let cpus { arguments.append("--cpus-per-task=\(cpus)") }
        if let memory { arguments.append("--mem=\(memory)") }
        if let gpus { arguments.append("--gpus=\(gpus)") }
        if let gres { arguments.append("--gres=\(gres)") }
        return arguments + flags
    }
}
