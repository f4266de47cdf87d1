import SystemIO

/// Reads a job's output as it grows, one attempt after another.
struct SlurmOutputTail {
    let folder: String
    let fileSystem: any FileSystem
    private var attempt = 0
    private var offset = 0
    private var lines = OutputLines()

    init(folder: String, fileSystem: any FileSystem) {
        self.folder = folder
        self.fileSystem = fileSystem
    }

    /// Passes the complete lines written since the last read; moves to the next attempt once it started.
    mutating func read(_ output: (String) -> Void) {
        while true {
            readCurrent(output)
            guard fileSystem.exists(folder + "/" + SlurmJobScript.startedFile(attempt: attempt + 1)) else { return }
            readCurrent(output)
            lines.finish(output)
            lines = OutputLines()
            attempt += 1
            offset = 0
        }
    }

    /// Reads everything left, and the last line even without its newline.
    mutating func finish(_ output: (String) -> Void) {
        read(output)
        lines.finish(output)
    }

    private mutating func readCurrent(_ output: (String) -> Void) {
        let path = folder + "/" + SlurmJobScript.outputFile(attempt: attempt)
        while let bytes = try? fileSystem.readFile(path, from: offset, maximumBytes: 1 << 20), !bytes.isEmpty {
            offset += bytes.count
            bytes.withUnsafeBytes { lines.feed($0, output) }
        }
    }
}
