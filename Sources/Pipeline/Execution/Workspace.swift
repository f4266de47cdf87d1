import SystemIO

/// A directory with a pipeline in it, and the state labmake keeps there under `.labmake/`:
/// the database (records, run cache, file hashes), the artifact store, the logs and the lock.
public final class Workspace: Sendable {
    /// The workspace root: paths in the pipeline are relative to it, and commands start there.
    public let root: String
    /// `ROOT/.labmake`.
    public let stateDirectory: String
    public let fileSystem: any FileSystem
    public let launcher: any ProcessLauncher
    public let clock: any Clock
    public let database: StateDatabase
    public let store: ArtifactStore

    /// `ROOT/.labmake`: where labmake keeps a workspace's state.
    public static func stateDirectoryPath(root: String) -> String { root + "/.labmake" }

    /// The state database of the workspace at `root`.
    public static func databasePath(root: String) -> String { stateDirectoryPath(root: root) + "/state.db" }

    /// Where the validated pipeline of the workspace at `root` is cached.
    public static func manifestCachePath(root: String) -> String { stateDirectoryPath(root: root) + "/manifest.cache" }

    /// Opens the workspace at `root`, creating `.labmake/` if needed.
    /// - Parameter inMemory: keep the database in memory (tests on a fake file system).
    /// - Parameter readOnly: open an existing workspace's database for reading only (see
    ///   ``StateDatabase/init(readingOnly:)``); nothing is created, and a dry run writes no cache.
    public init(root: String, fileSystem: any FileSystem = LocalFileSystem(),
                launcher: any ProcessLauncher = LocalProcessLauncher(), clock: any Clock = SystemClock(),
                inMemory: Bool = false, readOnly: Bool = false) throws {
        self.root = root
        stateDirectory = Self.stateDirectoryPath(root: root)
        self.fileSystem = fileSystem
        self.launcher = launcher
        self.clock = clock
        if let existing = fileSystem.stat(stateDirectory), existing.kind != .directory {
            throw WorkspaceError.stateIsNotAFolder(stateDirectory)
        }
        if !readOnly { try fileSystem.createDirectory(stateDirectory) }
        let databasePath = Self.databasePath(root: root)
        do {
            database = readOnly ? try StateDatabase(readingOnly: databasePath) : try StateDatabase(path: inMemory ? nil : databasePath)
        } catch {
            throw WorkspaceError.explaining(error, database: databasePath) ?? error
        }
        store = ArtifactStore(root: stateDirectory + "/store", fileSystem: fileSystem)
    }

    /// Takes the workspace lock for a run (see ``WorkspaceLock``).
    public func lock(wait: Bool, onWait: (Int32?) -> Void) throws -> WorkspaceLock {
        let path = stateDirectory + "/lock"
        if let existing = fileSystem.linkStatus(path), existing.kind != .file { throw WorkspaceError.lockIsNotAFile(path) }
        return try WorkspaceLock(path: path, wait: wait, onWait: onWait)
    }

    /// A hasher that starts from the file hashes remembered in the database.
    public func makeHasher() -> FileHasher {
        FileHasher(fileSystem: fileSystem, clock: clock, known: { [database] in try database.fileHashes() })
    }

    /// The absolute path of a workspace-relative path; absolute paths are kept.
    public func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? PathRules.normalized(path) : root + "/" + PathRules.normalized(path)
    }

    /// The scratch folder of a stage, or of a stand-alone experiment: `.labmake/work/NAME`.
    public func scratchDirectory(for name: String) -> String {
        stateDirectory + "/work/" + PathRules.safeFileName(name)
    }

    /// Where a stage's last output is kept.
    public func logPath(stage: String) -> String { stateDirectory + "/logs/" + PathRules.safeFileName(stage) + ".log" }
}
