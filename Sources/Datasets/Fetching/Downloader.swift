import CCurl
import Foundation
import SystemIO

/// How far a download has got.
public struct DownloadProgress: Sendable {
    /// Bytes in the file so far, earlier attempts included.
    public var received: Int64
    /// The whole size, when the server says.
    public var total: Int64?
    /// Over the current attempt.
    public var bytesPerSecond: Double

    /// Seconds left at the current rate, when known.
    public var secondsLeft: Double? {
        guard let total, bytesPerSecond > 0 else { return nil }
        return Double(total - received) / bytesPerSecond
    }
}

/// Downloads a URL (http, https, file) into a file, resuming a partial file with an HTTP Range
/// request, retrying dropped connections and server errors with exponential backoff.
public struct Downloader: Sendable {
    /// Attempts after the first.
    public var retries: Int
    /// Seconds before the first retry; doubled each time.
    public var backoff: Double
    /// A transfer slower than 1 byte/s for this many seconds counts as dropped.
    public var stallSeconds: Int

    /// The downloader labmake uses: 5 retries unless `LABMAKE_DOWNLOAD_RETRIES` says otherwise.
    public static var configured: Downloader {
        Downloader(retries: getenv("LABMAKE_DOWNLOAD_RETRIES").flatMap { Int(String(cString: $0)) }.map { max(0, $0) } ?? 5)
    }

    public init(retries: Int = 5, backoff: Double = 1, stallSeconds: Int = 30) {
        self.retries = retries
        self.backoff = backoff
        self.stallSeconds = stallSeconds
    }

    /// Brings `path` to the whole content of `url`, continuing from what `path` already holds.
    public func download(_ url: String, to path: String, progress: @escaping (DownloadProgress) -> Void = { _ in }) throws {
        do {
            try downloadWithRetries(url, to: path, progress: progress)
        } catch {
            if FileReader.size(path) == 0 { FileReader.remove(path) }  // nothing worth resuming
            throw error
        }
    }

    private func downloadWithRetries(_ url: String, to path: String, progress: @escaping (DownloadProgress) -> Void) throws {
        var delay = backoff
        for attempt in 0...retries {
            switch attemptDownload(url, to: path, progress: progress) {
            case .complete: return
            case .fatal(let error): throw error
            case .retryable(let error):
                guard attempt < retries else { throw error }
                Thread.sleep(forTimeInterval: delay)
                delay *= 2
            }
        }
    }

    private enum Attempt {
        case complete
        case retryable(DatasetError)
        case fatal(DatasetError)
    }

    private func attemptDownload(_ url: String, to path: String, progress: @escaping (DownloadProgress) -> Void) -> Attempt {
        let offset = FileReader.size(path) ?? 0
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .fatal(DatasetError("cannot write \(path): \(String(cString: strerror(errno)))")) }
        defer { close(fd) }
        guard let curl = lm_curl_easy_init() else {
            let reason = lm_curl_load_error().map { String(cString: $0) } ?? "cannot initialise libcurl"
            return .fatal(DatasetError("downloads need libcurl (Debian's libcurl4): \(reason)"))
        }
        defer { lm_curl_easy_cleanup(curl) }

        let transfer = Transfer(fd: fd, offset: offset, curl: curl, progress: progress)
        let context = Unmanaged.passRetained(transfer)
        defer { context.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE))
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            lm_curl_set_string(curl, CURLOPT_URL, url)
            lm_curl_set_long(curl, CURLOPT_FOLLOWLOCATION, 1)
            lm_curl_set_long(curl, CURLOPT_FAILONERROR, 1)
            lm_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, 30)
            lm_curl_set_long(curl, CURLOPT_LOW_SPEED_LIMIT, 1)
            lm_curl_set_long(curl, CURLOPT_LOW_SPEED_TIME, stallSeconds)
            lm_curl_set_string(curl, CURLOPT_USERAGENT, "labmake")
            lm_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, errors.baseAddress)
            if offset > 0 { lm_curl_set_offset(curl, CURLOPT_RESUME_FROM_LARGE, curl_off_t(offset)) }
            lm_curl_set_write_function(curl, writeCallback)
            lm_curl_set_pointer(curl, CURLOPT_WRITEDATA, context.toOpaque())
            lm_curl_set_progress_function(curl, progressCallback)
            lm_curl_set_pointer(curl, CURLOPT_XFERINFODATA, context.toOpaque())
            lm_curl_set_long(curl, CURLOPT_NOPROGRESS, 0)
            return lm_curl_easy_perform(curl)
        }
        if let failure = transfer.failure { return .fatal(failure) }
        let status = lm_curl_response_code(curl)
        let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let reason = detail.isEmpty ? String(cString: lm_curl_easy_strerror(code)) : detail
        switch code {
        case CURLE_OK:
            return .complete
        case CURLE_HTTP_RETURNED_ERROR where status == 416 && offset > 0:
            return .complete  // the partial file already holds everything; the checksum decides
        case CURLE_HTTP_RETURNED_ERROR where status >= 500 || status == 429 || status == 408:
            return .retryable(.http(status, url))
        case CURLE_HTTP_RETURNED_ERROR:
            return .fatal(.http(status, url))
        case CURLE_RANGE_ERROR:
            // The server cannot resume: start the file over.
            ftruncate(fd, 0)
            return .retryable(DatasetError("download of \(url) could not resume: the server ignores byte ranges"))
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_FILE_COULDNT_READ_FILE, CURLE_REMOTE_FILE_NOT_FOUND,
             CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .fatal(DatasetError("cannot download \(url): \(reason)"))
        default:
            return .retryable(DatasetError("download of \(url) failed: \(reason)"))
        }
    }
}

/// The state libcurl's callbacks share during one attempt.
private final class Transfer {
    let fd: Int32
    let offset: Int64
    let curl: UnsafeMutableRawPointer
    let progress: (DownloadProgress) -> Void
    let clock: any Clock = SystemClock()
    let start: Double
    var checkedResume = false
    var written: Int64 = 0
    var lastReport = -Double.infinity
    var failure: DatasetError?

    init(fd: Int32, offset: Int64, curl: UnsafeMutableRawPointer, progress: @escaping (DownloadProgress) -> Void) {
        self.fd = fd
        self.offset = offset
        self.curl = curl
        self.progress = progress
        start = clock.now()
    }
}

private func writeCallback(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    if !transfer.checkedResume {
        transfer.checkedResume = true
        // A server that ignores the Range request sends everything again: start the file over.
        if transfer.offset > 0 && lm_curl_response_code(transfer.curl) == 200 { ftruncate(transfer.fd, 0) }
    }
    var done = 0
    while done < size * count {
        let n = write(transfer.fd, data + done, size * count - done)
        if n < 0 {
            if errno == EINTR { continue }
            transfer.failure = DatasetError("cannot write the download: \(String(cString: strerror(errno)))")
            return 0
        }
        done += n
    }
    transfer.written += Int64(done)
    return done
}

private func progressCallback(_ context: UnsafeMutableRawPointer?, _ downloadTotal: curl_off_t, _ downloaded: curl_off_t,
                              _ uploadTotal: curl_off_t, _ uploaded: curl_off_t) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
    let now = transfer.clock.now()
    let finished = downloadTotal > 0 && downloaded >= downloadTotal
    guard finished || now - transfer.lastReport >= 0.5 else { return 0 }
    transfer.lastReport = now
    let base = lm_curl_response_code(transfer.curl) == 206 ? transfer.offset : 0
    let elapsed = max(now - transfer.start, 0.001)
    transfer.progress(DownloadProgress(
        received: base + Int64(downloaded), total: downloadTotal > 0 ? base + Int64(downloadTotal) : nil,
        bytesPerSecond: Double(downloaded) / elapsed))
    return 0
}
