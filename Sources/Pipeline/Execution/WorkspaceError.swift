import GRDB
import SystemIO
#if canImport(Glibc)
import Glibc
#endif

/// A workspace whose state labmake cannot use, with what to do about it.
public enum WorkspaceError: Error, Sendable, CustomStringConvertible {
    /// `.labmake` exists and is not a folder.
    case stateIsNotAFolder(String)
    /// The state database is not a database, or is damaged.
    case damagedDatabase(path: String, reason: String)
    /// The disk holding the workspace is full.
    case diskFull(path: String)
    /// The lock file is something else (a folder).
    case lockIsNotAFile(String)

    public var description: String {
        switch self {
        case .stateIsNotAFolder(let path):
            return "\(path) is a file, not labmake's state folder; move it aside (mv \(path) \(path).moved) and rerun"
        case .damagedDatabase(let path, let reason):
            return "the workspace database \(path) is damaged (\(reason)); move it aside "
                + "(mv \(path) \(path).damaged) and rerun: labmake starts a new one, and stages whose outputs it can no longer "
                + "vouch for run again (the run records, the run cache and stored trials are lost; the artifact store is kept)"
        case .diskFull(let path):
            return "the disk holding \(path) is full; free some space (labmake gc removes artifacts no record needs) and rerun"
        case .lockIsNotAFile(let path):
            return "\(path) is not a lock file; remove it (rmdir \(path)) and rerun"
        }
    }

    /// The error that explains `error`, raised while opening or writing the database at `path`; nil
    /// when it is not a kind of damage this knows.
    static func explaining(_ error: any Error, database path: String) -> WorkspaceError? {
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return .damagedDatabase(path: path, reason: error.message ?? "\(error.resultCode)")
            case .SQLITE_FULL:
                return .diskFull(path: path)
            case .SQLITE_IOERR where isDiskFull(path):
                return .diskFull(path: path)
            default:
                return nil
            }
        }
        if let error = error as? FileSystemError, error.reason.contains("No space left") { return .diskFull(path: error.path) }
        return nil
    }

    /// Whether the file system holding `path` has no free block left.
    static func isDiskFull(_ path: String) -> Bool {
        var info = statvfs()
        let folder = path.split(separator: "/").dropLast().joined(separator: "/")
        guard statvfs("/" + folder, &info) == 0 else { return false }
        return info.f_bavail == 0
    }
}
