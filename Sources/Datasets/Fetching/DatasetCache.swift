import Foundation

/// Where a dataset comes from: a URL (http, https, file) or a local archive, and its checksum.
public struct DatasetSource: Sendable, Hashable {
    public var location: String
    public var checksum: Checksum
    /// The most bytes its archive may extract to: what the dataset may hold, with room to spare. An
    /// archive that expands past it (a "gzip bomb", or the wrong file) is refused before the disk fills.
    public var maximumExtractedBytes: Int64
    /// Set for one (compressed) file rather than an archive: the name it is decompressed to.
    public var decompressedName: String?

    public init(location: String, checksum: Checksum, maximumExtractedBytes: Int64 = 4 << 30, decompressedName: String? = nil) {
        self.location = location
        self.checksum = checksum
        self.maximumExtractedBytes = maximumExtractedBytes
        self.decompressedName = decompressedName
    }

    /// A local file given as a plain path rather than a URL.
    var isLocalPath: Bool { !location.contains("://") }
}

/// One cache of downloaded and extracted datasets per user (`$XDG_CACHE_HOME/labmake`, else
/// `~/.cache/labmake`), keyed by checksum, shared by every workspace.
///
/// Writes are atomic: a download grows `archives/<digest>.part` (resumed after a kill or a dropped
/// connection) and becomes `archives/<digest>` only once its checksum is right; an archive is
/// extracted into a temporary folder renamed to `datasets/<digest>` once complete. A later run never
/// trusts anything else.
public struct DatasetCache: Sendable {
    public let root: String
    public var downloader: Downloader

    public init(root: String = DatasetCache.defaultRoot(), downloader: Downloader = Downloader()) {
        self.root = root
        self.downloader = downloader
    }

    /// `$XDG_CACHE_HOME/labmake`, else `$HOME/.cache/labmake`.
    public static func defaultRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let xdg = environment["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return xdg + "/labmake" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/labmake"
    }

    /// The extracted dataset's folder, if the cache holds it complete.
    public func extracted(_ checksum: Checksum) -> String? {
        let folder = datasetFolder(checksum)
        return FileReader.exists(folder + "/" + DatasetCache.completeMarker) ? folder : nil
    }

    /// Fetches (or finds) the dataset, verifies it and returns the folder it is extracted in.
    /// - Parameters:
    ///   - validate: reads the extracted folder and throws if it is not a usable dataset; a folder that
    ///     fails is not kept.
    ///   - log: one line per step, for the user.
    ///   - progress: download progress.
    public func fetch(_ source: DatasetSource, validate: (String) throws -> Void = { _ in }, log: (String) -> Void = { _ in },
                      progress: @escaping (DownloadProgress) -> Void = { _ in }) throws -> String {
        guard source.checksum.isWellFormed else {
            throw DatasetError("'\(source.checksum.digest)' is not a valid \(source.checksum.algorithm) checksum")
        }
        if let folder = extracted(source.checksum) {
            log("using the cached dataset \(folder)")
            return folder
        }
        let archive = try obtainArchive(source, log: log, progress: progress)
        let folder = datasetFolder(source.checksum)
        let temporary = folder + ".tmp-\(getpid())"
        FileReader.remove(temporary)
        log(source.decompressedName == nil ? "extracting \(archive)" : "decompressing \(archive)")
        do {
            if let name = source.decompressedName {
                try FileReader.makeDirectory(temporary)
                try ArchiveExtractor.decompress(archive, to: temporary + "/" + name, maximumBytes: source.maximumExtractedBytes)
            } else {
                try ArchiveExtractor.extract(archive, to: temporary, maximumBytes: source.maximumExtractedBytes)
            }
            try validate(temporary)
            try FileReader.writeEmpty(temporary + "/" + DatasetCache.completeMarker)
            FileReader.remove(folder)
            guard rename(temporary, folder) == 0 else { throw DatasetError("cannot move \(temporary) to \(folder)") }
        } catch {
            FileReader.remove(temporary)
            throw error
        }
        return folder
    }

    static let completeMarker = ".labmake-complete"

    private func datasetFolder(_ checksum: Checksum) -> String { "\(root)/datasets/\(checksum.algorithm.rawValue)-\(checksum.digest)" }
    private func archivePath(_ checksum: Checksum) -> String { "\(root)/archives/\(checksum.algorithm.rawValue)-\(checksum.digest)" }

    /// A verified archive: the local file itself, the cached one, or a fresh (resumed) download.
    private func obtainArchive(_ source: DatasetSource, log: (String) -> Void,
                               progress: @escaping (DownloadProgress) -> Void) throws -> String {
        if source.isLocalPath {
            guard FileReader.exists(source.location) else { throw DatasetError("no archive at \(source.location)") }
            log("verifying \(source.location)")
            try source.checksum.verify(source.location, deleteOnMismatch: false)
            return source.location
        }
        let archive = archivePath(source.checksum)
        if FileReader.exists(archive) { return archive }
        try FileReader.makeDirectory(root + "/archives")
        let partial = archive + ".part"
        for attempt in 0..<2 {
            let resumed = FileReader.size(partial) ?? 0
            log(resumed > 0 ? "resuming \(source.location) at \(resumed) bytes" : "downloading \(source.location)")
            try downloader.download(source.location, to: partial, progress: progress)
            do {
                try source.checksum.verify(partial)
            } catch {
                // A partial file from an earlier attempt may be what was damaged: try once from scratch.
                if attempt == 0 && resumed > 0 { continue }
                throw error
            }
            guard rename(partial, archive) == 0 else { throw DatasetError("cannot move \(partial) to \(archive)") }
            return archive
        }
        throw DatasetError("download of \(source.location) does not match its checksum")
    }
}
