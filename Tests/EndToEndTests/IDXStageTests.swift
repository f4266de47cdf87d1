import Foundation
import LabmakeTesting
import Testing

/// A local server holding the digits as the four IDX files of an MNIST-style set, under `/idx/`.
func idxServer() throws -> (server: LocalHTTPServer, sha256: String) {
    let server = try LocalHTTPServer()
    let files = try TestIDX.digits()
    for (name, bytes) in files { server.serve("/idx/" + name, bytes) }
    let digests = files.keys.sorted().map { "\($0): \(TestIDX.sha256(files[$0]!))" }.joined(separator: ", ")
    return (server, "{\(digests)}")
}

@Suite("The mnist, fashion-mnist and kmnist stages", .serialized)
struct IDXStageTests {
    func pipeline(kind: String = "fashion-mnist", with: String) -> String {
        """
        stages:
          data:
            uses: \(kind)
            with: \(with)
          count:
            cmd: wc -l < data/train.indices > count.txt
            deps: [data/train.indices]
            outs: [count.txt]
        """
    }

    @Test("four files download through the real code, are described in dataset.json, and are cache hits afterwards")
    func stage() throws {
        let (server, sha256) = try idxServer()
        defer { server.stop() }
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path]
        let box = try Sandbox(["labmake.yaml": pipeline(with: "{url: '\(server.url("/idx/"))', sha256: \(sha256), train_subset: 500, validation: 100}")])
        let first = try box.labmake("run", "--json", environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try statuses(first.stdout) == ["data": "executed", "count": "executed"])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(box.read("data/dataset.json")!.utf8)) as? [String: Any])
        #expect(manifest["dataset"] as? String == "fashion-mnist")
        #expect(manifest["image_shape"] as? String == "1×28×28")
        #expect((manifest["classes"] as? [String])?.first == "T-shirt/top")
        #expect((manifest["files"] as? [[String: Any]])?.count == 4)
        #expect((manifest["train"] as? [String: Any])?["count"] as? Int == 500)
        #expect((manifest["validation"] as? [String: Any])?["count"] as? Int == 100)
        #expect((manifest["test"] as? [String: Any])?["count"] as? Int == 360)
        #expect(server.requests.count == 4)
        #expect(try statuses(box.labmake("run", "--json", environment: env).stdout) == ["data": "cached", "count": "cached"])

        // Another workspace, and another kind over the same files: the per-user cache serves both.
        let other = try Sandbox(["labmake.yaml": pipeline(kind: "mnist", with: "{url: '\(server.url("/idx/"))', sha256: \(sha256)}")])
        let second = try other.labmake("run", "--json", environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(server.requests.count == 4)
        #expect(other.read("count.txt")?.trimmingCharacters(in: .whitespacesAndNewlines) == "1437")
    }

    @Test("files that are not the official ones fail the checksum, and the message says how to name theirs")
    func checksums() throws {
        let (server, _) = try idxServer()
        defer { server.stop() }
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path, "LABMAKE_DOWNLOAD_RETRIES": "0"]
        let box = try Sandbox(["labmake.yaml": pipeline(with: "{url: '\(server.url("/idx/"))'}")])
        let failed = try box.labmake("run", environment: env)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("expected 8d4fb7e6c68d591d4c3dfef9ec88bf0d"), "\(failed.stdout)")
        #expect(failed.stdout.contains("Files other than the official Fashion-MNIST ones need their checksums"))
        #expect(!FileManager.default.fileExists(atPath: box.root.appendingPathComponent("data").path))
    }

    @Test("malformed options are reported at file:line:col before anything runs", arguments: [
        ("{md5: abc}", "must map each file's name to its md5"),
        ("{sha256: {train-images.gz: 00}}", "is not one of the files"),
        ("{md5: {train-images-idx3-ubyte.gz: 123}}", "must be 32 hex digits"),
        ("{md5: {train-images-idx3-ubyte.gz: \(String(repeating: "a", count: 32))}}", "name all four files"),
        ("{url: 'http://x/', path: /tmp}", "give either url or path"),
        ("{validation: -1}", "must be a whole number ≥ 0"),
    ])
    func options(with: String, message: String) throws {
        let box = try Sandbox(["labmake.yaml": pipeline(with: with)])
        let result = try box.labmake("run")
        #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains(message) && result.stderr.contains("labmake.yaml:"), "\(result.stderr)")
    }

    @Test("without the network the stage says how to use a local folder, and a local folder works")
    func offline() throws {
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path, "LABMAKE_DOWNLOAD_RETRIES": "0"]
        let box = try Sandbox(["labmake.yaml": pipeline(kind: "kmnist", with: "{url: 'http://127.0.0.1:1/kmnist/'}")])
        let failed = try box.labmake("run", environment: env)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("No network? Put the four files"), "\(failed.stdout)")
        let files = try TestIDX.digits()
        try FileManager.default.createDirectory(at: box.root.appendingPathComponent("local"), withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: box.root.appendingPathComponent("local/" + name), options: []) }
        let digests = files.keys.sorted().map { "\($0): \(TestIDX.sha256(files[$0]!))" }.joined(separator: ", ")
        try box.write("labmake.yaml", pipeline(kind: "kmnist", with: "{path: local, sha256: {\(digests)}}"))
        let local = try box.labmake("run", environment: env)
        #expect(local.status == 0, "\(local.stdout)\(local.stderr)")
    }

    @Test("labmake data fashion-mnist fetches, verifies and summarises; a wrong digest is refused with the file's name")
    func dataCommand() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let files = try TestIDX.digits()
        for (name, bytes) in files { server.serve("/idx/" + name, bytes) }
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path, "LABMAKE_DOWNLOAD_RETRIES": "0"]
        let box = try Sandbox()
        let digests = files.keys.sorted().flatMap { ["--sha256", "\($0)=\(TestIDX.sha256(files[$0]!))"] }
        let fetched = try box.start(["data", "fashion-mnist", "--url", server.url("/idx/")] + digests, environment: env).wait(timeout: 120)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("Fashion-MNIST (1×28×28 images)") && fetched.stdout.contains("1437 training and 360 test images"))
        #expect(fetched.stdout.contains("Ankle boot"))
        let partial = try box.start(["data", "mnist", "--url", server.url("/idx/"), "--sha256", "t10k-labels-idx1-ubyte.gz=" + String(repeating: "0", count: 64)],
                                  environment: env).wait(timeout: 120)
        #expect(partial.status == 2 && partial.stderr.contains("name all four files"), "\(partial.stderr)")
        let official = try box.start(["data", "kmnist", "--url", server.url("/idx/")], environment: env).wait(timeout: 120)
        #expect(official.status == 1 && official.stderr.contains("expected bdb82020997e1d708af4cf47b453dcf7"), "\(official.stderr)")
    }
}
