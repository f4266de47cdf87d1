import Foundation
import SystemIO
import Testing

/// The single-node Slurm cluster of `scripts/slurm-test-cluster`, up while any suite that uses it runs:
/// the first such suite brings it up, the last one to end stops its daemons by their PIDs.
///
/// Suites that need it carry the ``TestSlurmCluster/trait``; they run where the cluster can be had —
/// as root (the script installs Debian's packages and starts the daemons), which CI is.
public enum TestSlurmCluster {
    /// Whether this machine can run the cluster.
    public static var available: Bool { getuid() == 0 && FileManager.default.fileExists(atPath: "/usr/bin/apt-get") }

    /// The `SLURM_CONF` of the test cluster.
    public static var configuration: String { folder + "/slurm.conf" }

    /// The folder holding the cluster's configuration, state and logs.
    public static var folder: String { ProcessInfo.processInfo.environment["LABMAKE_SLURM_DIR"] ?? "/tmp/labmake-slurm" }

    /// The suite trait that keeps the cluster up around a suite.
    public static var trait: Scope { Scope() }

    private static let users = Locked(0)

    /// Brings the cluster up when no suite holds it; sets `SLURM_CONF` for this process and its children.
    static func acquire() throws {
        try users.withLock { count in
            if count == 0 { try script("up") }
            count += 1
        }
        setenv("SLURM_CONF", configuration, 1)
    }

    static func release() {
        users.withLock { count in
            count -= 1
            if count == 0 { try? script("down") }
        }
    }

    /// Runs `scripts/slurm-test-cluster ACTION`.
    public static func script(_ action: String) throws {
        let path = try repositoryRoot() + "/scripts/slurm-test-cluster"
        // Output to a file, not a pipe: the daemons the script starts must not hold the test's pipe open.
        let log = NSTemporaryDirectory() + "labmake-slurm-test-cluster-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [path, action]
        process.standardInput = FileHandle.nullDevice
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        process.waitUntilExit()
        try? handle.close()
        guard process.terminationStatus == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw TestServerError("scripts/slurm-test-cluster \(action) failed: \(output)")
        }
    }

    /// The repository's root folder.
    public static func repositoryRoot() throws -> String {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("scripts/slurm-test-cluster").path) { return dir.path }
            dir.deleteLastPathComponent()
        }
        throw TestServerError("scripts/slurm-test-cluster not found above \(#filePath)")
    }

    /// Keeps the cluster up around a suite.
    public struct Scope: SuiteTrait, TestScoping {
        public var isRecursive: Bool { false }

        public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
            try TestSlurmCluster.acquire()
            defer { TestSlurmCluster.release() }
            try await function()
        }
    }
}
