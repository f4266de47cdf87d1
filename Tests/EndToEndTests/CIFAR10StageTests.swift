import Foundation
import LabmakeTesting
import Testing

@Suite("The cifar10 stage", .serialized)
struct CIFAR10StageTests {
    func pipeline(url: String, extra: String = "") -> String {
        """
        params: {lr: 0.1}
        stages:
          data:
            uses: cifar10
            with: {url: '\(url)', md5: \(TestArchives.digitsMD5), train_subset: 500, validation: 100\(extra)}
          train:
            cmd: cat data/dataset.json > model.txt; echo ${params.lr} >> model.txt
            params: [lr]
            deps: [data/dataset.json]
            outs: [model.txt]
        """
    }

    @Test("downloads through the real code from a local server; reruns are cache hits without network")
    func stage() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        server.serve("/cifar.tar.gz", try TestArchives.digitsBytes())
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path]
        let box = try Sandbox(["labmake.yaml": pipeline(url: server.url("/cifar.tar.gz"))])

        let first = try box.labmake("run", "--json", environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try statuses(first.stdout) == ["data": "executed", "train": "executed"])
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(box.read("data/dataset.json")!.utf8)) as? [String: Any])
        #expect(manifest["checksum"] as? String == "md5:\(TestArchives.digitsMD5)")
        #expect((manifest["train"] as? [String: Any])?["count"] as? Int == 500)
        #expect((manifest["validation"] as? [String: Any])?["count"] as? Int == 100)
        #expect((manifest["test"] as? [String: Any])?["count"] as? Int == 360)
        #expect(box.read("data/train.indices")?.split(separator: "\n").count == 500)
        #expect(server.requests.count == 1)

        #expect(try statuses(box.labmake("run", "--json", environment: env).stdout) == ["data": "cached", "train": "cached"])
        let lr = try statuses(box.labmake("run", "--json", "--set", "lr=0.05", environment: env).stdout)
        #expect(lr == ["data": "cached", "train": "executed"], "the data stage reads no parameter")

        let other = try Sandbox(["labmake.yaml": pipeline(url: server.url("/cifar.tar.gz"))])
        #expect(try statuses(other.labmake("run", "--json", environment: env).stdout) == ["data": "executed", "train": "executed"])
        #expect(server.requests.count == 1, "a second workspace shares the per-user cache")
    }

    @Test("without the network the data stage says how to use a local copy, and that works")
    func offline() throws {
        _ = try TestArchives.digitsBytes()
        let cache = try Sandbox()
        let env = ["XDG_CACHE_HOME": cache.root.path, "LABMAKE_DOWNLOAD_RETRIES": "0"]
        // Nothing listens on port 1: the connection fails as it does without a network, and stays on this machine.
        let box = try Sandbox(["labmake.yaml": pipeline(url: "http://127.0.0.1:1/cifar-10-binary.tar.gz")])
        let failed = try box.labmake("run", environment: env)
        #expect(failed.status == 1)
        #expect(failed.stdout.contains("No network? Point the stage at a local copy of the archive: --set data.url=file:///path/to/cifar-10-binary.tar.gz"))
        let local = try box.labmake("run", "--json", "--set", "data.url=file://\(TestArchives.digits)", environment: env)
        #expect(local.status == 0, "\(local.stderr)")
        #expect(try statuses(local.stdout) == ["data": "executed", "train": "executed"])
    }

    @Test("bad options are reported before anything runs")
    func options() throws {
        let box = try Sandbox(["labmake.yaml": pipeline(url: "file:///x", extra: ", md55: abc")])
        let run = try box.labmake("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains("unknown key 'md55' in with of stage 'data' (kind cifar10)"))
        let subset = try box.labmake("run", "--set", "data.train_subset=0")
        #expect(subset.stderr.contains("with.train_subset: must be a whole number ≥ 1, found 0"))
    }
}
