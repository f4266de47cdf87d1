import ArgumentParser
import Dashboard
import Foundation
import Pipeline
import SystemIO

/// `labmake serve`: a live dashboard over a workspace, in the browser.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a live dashboard of the workspace: the pipeline, its experiments and their trials.",
        discussion: """
            Open the printed URL while `labmake run` works in another terminal: pages update within a second of a trial, \
            an intermediate result or a stage change. The overview shows the pipeline with each stage's status and the \
            reasons it is stale (those of `labmake status`) and every experiment; an experiment's page its trials \
            (filter with terms such as `status:SUCCEEDED metric>0.85 lr<0.01`, sort, choose columns, export as \
            `labmake trials --json` or --csv would) and its charts (brush a parallel-coordinates axis to filter); a trial's \
            page its parameters, results and logs; /compare chosen trials or experiments side by side; /report the report \
            stage's Markdown with a banner while it is stale. \
            Without --control the dashboard only reads the workspace, so it never slows or blocks a run. With --control, \
            an experiment's pages also let you kill a running trial, change max trials, rerun failed trials and run a trial with parameters of your own while \
            `labmake run` (or `labmake tune`) drives it: the dashboard queues each request in the workspace database with a \
            token drawn at this start, and the run applies and answers it within a second; it also edits the lab's notes \
            (the report stage's `notes` file). /api/v1/nni/… answers NNI's REST reads. Everything it serves is built \
            into labmake: it works offline. It listens on 127.0.0.1 unless --host says otherwise; --url-prefix serves it \
            under a reverse proxy's path.
            """)

    @Argument(help: "The pipeline file (default: labmake.yaml); without one, the current directory's workspace is shown without its pipeline.")
    var file: String?

    @Option(help: "The port to listen on; 0 picks a free one.")
    var port: Int = 8080

    @Option(help: "The IPv4 address to listen on: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).")
    var host = "127.0.0.1"

    @Option(name: .customLong("url-prefix"), help: "The path a reverse proxy serves the dashboard under (/lab): every link and request carries it.")
    var urlPrefix = ""

    @Flag(help: "Let the pages kill running trials, change max trials, rerun failed trials and add trials to a running experiment.")
    var control = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535, not \(port)") }
        guard urlPrefix.isEmpty || Self.validPrefix(urlPrefix) else {
            throw ValidationError("--url-prefix must be a path such as /lab or /users/ada/labmake (letters, digits, - _ . and /), not '\(urlPrefix)'")
        }
    }

    /// A prefix of path segments of letters, digits, `-`, `_` and `.` (not `.` or `..` alone), starting with `/`.
    static func validPrefix(_ prefix: String) -> Bool {
        guard prefix.hasPrefix("/") else { return false }
        let segments = prefix.split(separator: "/")
        return !segments.isEmpty && segments.allSatisfy { segment in
            segment != "." && segment != ".." && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    /// The prefix without a trailing slash (`/lab/` → `/lab`).
    static func normalized(_ prefix: String) -> String {
        prefix.isEmpty ? "" : "/" + prefix.split(separator: "/").joined(separator: "/")
    }

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        var pipelinePath: String?
        if let file {
            pipelinePath = try PipelineLocator.path(file)
        } else if FileManager.default.fileExists(atPath: cwd + "/labmake.yaml") {
            pipelinePath = try PipelineLocator.path(nil)
        }
        let root = pipelinePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? cwd
        // Started before the first run: wait for the run to create the workspace (a pipeline file says one will
        // come), and until the run has set its database up (the file appears before its tables do).
        var waited: WorkspaceReader?
        if pipelinePath != nil, !FileManager.default.fileExists(atPath: Workspace.databasePath(root: root)) {
            FileHandle.standardError.write(Data("labmake serve: waiting for the workspace in \(root): `labmake run` creates it\n".utf8))
            while waited == nil {
                usleep(250_000)
                if FileManager.default.fileExists(atPath: Workspace.databasePath(root: root)) { waited = try? WorkspaceReader(root: root) }
            }
        }
        let reader: WorkspaceReader
        do { reader = try waited ?? WorkspaceReader(root: root) } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)" + (pipelinePath == nil ? "; name the pipeline file, e.g. labmake serve pipelines/cifar10.yaml" : ""))
        }
        let source: PipelineStateSource? = pipelinePath.map { path in
            let stateReader = PipelineStateReader(path: path)
            return { stateReader.state() }
        }
        let server: DashboardServer
        do {
            let channel = control ? try ControlChannel(root: root) : nil
            server = try DashboardServer(reader: reader, pipeline: source, host: host, port: UInt16(port), control: channel,
                                         urlPrefix: Self.normalized(urlPrefix))
        } catch {
            throw LabmakeExit(ExitStatus.invalid, "error: \(error)")
        }
        let started = Locked<Result<UInt16, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do {
                let port = try await server.start()
                started.withLock { $0 = .success(port) }
            } catch {
                started.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch started.withLock({ $0 }) {
        case .success(let bound)?:
            let shown = host == "0.0.0.0" ? "127.0.0.1" : host
            let mode = control ? "control actions on" : "read only"
            FileHandle.standardOutput.write(Data("labmake serve: http://\(shown):\(bound)\(Self.normalized(urlPrefix))/ — workspace \(root), \(mode) (Ctrl-C stops)\n".utf8))
        case .failure(let error)?:
            let busy = "\(error)".localizedCaseInsensitiveContains("in use")
            throw LabmakeExit(ExitStatus.stageFailed, busy ? "error: port \(port) on \(host) is in use; --port 0 picks a free one"
                                                         : "error: cannot serve on \(host):\(port): \(error)")
        case nil:
            throw LabmakeExit(ExitStatus.stageFailed, "error: the server did not start")
        }
        while true { sleep(3600) }
    }
}
