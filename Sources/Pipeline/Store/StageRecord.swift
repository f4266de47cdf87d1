import SystemIO

/// What labmake remembers of a stage's last successful run: the record DVC keeps in `dvc.lock`.
public struct StageRecord: Sendable, Hashable {
    /// The stage's name.
    public var stage: String
    /// The stage key: SHA-256 of the canonical record of definition, dependencies and inputs.
    public var key: String
    /// The canonical definition the key was computed from (see ``StageFingerprint``).
    public var definition: String
    /// Content of the files the stage read.
    public var deps: ContentMap
    /// Content of the upstream outputs the stage read, as `STAGE:PATH`.
    public var inputs: ContentMap
    /// Content of what the stage wrote.
    public var outputs: ContentMap
    /// When the run started, seconds since the epoch.
    public var startedAt: Double
    /// How long it ran, in seconds.
    public var seconds: Double

    public init(stage: String, key: String, definition: String, deps: ContentMap, inputs: ContentMap,
                outputs: ContentMap, startedAt: Double, seconds: Double) {
        self.stage = stage
        self.key = key
        self.definition = definition
        self.deps = deps
        self.inputs = inputs
        self.outputs = outputs
        self.startedAt = startedAt
        self.seconds = seconds
    }
}

/// The part of a stage's record that a no-op run reads.
public struct RecordSummary: Sendable, Hashable {
    /// See ``StatSignature``; nil when the record was written too soon after its files changed.
    public var signature: String?
    public var outputs: ContentMap

    public init(signature: String?, outputs: ContentMap) {
        self.signature = signature
        self.outputs = outputs
    }
}

/// A remembered hash of a file, valid while its status is unchanged.
public struct FileHashEntry: Sendable, Hashable {
    public var path: String
    public var stat: FileStat
    /// When the file was hashed, in nanoseconds since the epoch.
    public var hashedAtNanoseconds: Int64
    public var id: ContentID

    public init(path: String, stat: FileStat, hashedAtNanoseconds: Int64, id: ContentID) {
        self.path = path
        self.stat = stat
        self.hashedAtNanoseconds = hashedAtNanoseconds
        self.id = id
    }
}
