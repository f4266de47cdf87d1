import Foundation
import LabmakeTesting
import Testing

/// Nothing labmake writes, restores or logs lands outside the workspace, and no link is followed in
/// circles, whatever the outputs, the store or the names hold.
@Suite("The workspace's boundary", .serialized)
struct WorkspaceBoundaryTests {
    @Test("links inside an output folder are stored as links: never followed in circles or out of the tree, restored as they were",
          arguments: [1, 2])
    func linksInOutputs(count: Int) throws {
        let links = (1...count).map { "ln -s . out/loop\($0)" }.joined(separator: "; ")
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'mkdir -p out; echo x > out/f; \(links); ln -s /etc out/outside; ln -s f out/alias', outs: [out]}\n"])
        let run = try box.labmake("run", timeout: 60)
        #expect(run.status == 0, "\(run.stderr)")
        let out = box.root.appendingPathComponent("out").path
        try FileManager.default.removeItem(atPath: out)
        let restore = try box.labmake("run", timeout: 60)
        #expect(restore.status == 0, "\(restore.stderr)")
        #expect(restore.stdout.contains("restored"), "\(restore.stdout)")
        for i in 1...count { #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/loop\(i)") == ".") }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/outside") == "/etc")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/alias") == "f")
        #expect(box.read("out/f") == "x\n")
        // Nothing of /etc was copied into the store: only the link's own text.
        let objects = try FileManager.default.subpathsOfDirectory(atPath: box.root.appendingPathComponent(".labmake/store/objects").path)
        #expect(objects.filter { !$0.contains("/") }.count <= 4, "\(objects)")
        // A link retargeted is a changed output: the stage's recorded output is restored over it.
        try FileManager.default.removeItem(atPath: out + "/alias")
        try FileManager.default.createSymbolicLink(atPath: out + "/alias", withDestinationPath: "elsewhere")
        #expect(try box.labmake("run").status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out + "/alias") == "f")
    }

    @Test("an output that is itself a link is kept as that link")
    func outputLink() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'echo v1 > model-1.bin; ln -sf model-1.bin latest', outs: [latest]}\n"])
        #expect(try box.labmake("run").status == 0)
        let latest = box.root.appendingPathComponent("latest").path
        try FileManager.default.removeItem(atPath: latest)
        let rerun = try box.labmake("run")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: latest) == "model-1.bin")
    }

    @Test("a restore killed midway leaves no temporary file for good: the next restore removes it")
    func abandonedTemporary() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'mkdir -p out; echo good > out/model.bin', outs: [out/model.bin]}\n"])
        #expect(try box.labmake("run").status == 0)
        // The temporary file a labmake killed mid-restore leaves: its process is gone.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let folder = box.root.appendingPathComponent("out").path
        let abandoned = folder + "/model.bin.tmp-\(gone.processIdentifier)-12345"
        let live = folder + "/model.bin.tmp-\(getpid())-6789"
        FileManager.default.createFile(atPath: abandoned, contents: Data("half".utf8))
        FileManager.default.createFile(atPath: live, contents: Data("in flight".utf8))
        try FileManager.default.removeItem(atPath: folder + "/model.bin")
        let rerun = try box.labmake("run")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.read("out/model.bin") == "good\n")
        #expect(!FileManager.default.fileExists(atPath: abandoned))
        #expect(FileManager.default.fileExists(atPath: live), "a live process's temporary file was removed")
    }

    @Test("a damaged tree listing naming ../ paths is refused: the stage runs again and nothing lands outside")
    func damagedListing() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'mkdir -p out; echo good > out/f', outs: [out]}\n"])
        #expect(try box.labmake("run").status == 0)
        let trees = box.root.appendingPathComponent(".labmake/store/trees").path
        let listing = try #require(try FileManager.default.contentsOfDirectory(atPath: trees).first)
        let listingPath = trees + "/" + listing
        let text = try String(contentsOfFile: listingPath, encoding: .utf8)
        try text.replacingOccurrences(of: "f", with: "../../escaped").write(toFile: listingPath, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: box.root.appendingPathComponent("out"))
        let rerun = try box.labmake("run")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(box.read("out/f") == "good\n")
        #expect(!FileManager.default.fileExists(atPath: box.root.deletingLastPathComponent().appendingPathComponent("escaped").path))
        #expect(!FileManager.default.fileExists(atPath: box.root.appendingPathComponent("escaped").path))
    }

    @Test("a restore never writes through a folder that became a link to outside the workspace")
    func linkedParent() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'test -L sub && exit 3; mkdir -p sub; echo hi > sub/out.txt', outs: [sub/out.txt]}\n"])
        #expect(try box.labmake("run").status == 0)
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("labmake-outside-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.removeItem(at: box.root.appendingPathComponent("sub"))
        try FileManager.default.createSymbolicLink(at: box.root.appendingPathComponent("sub"), withDestinationURL: outside)
        let rerun = try box.labmake("run")
        #expect(rerun.status == 1)
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("out.txt").path), "restored through the link")
    }

    @Test("a matrix value like ../../x keeps the stage's log inside .labmake")
    func matrixNames() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  s:\n    cmd: echo ${params.v}\n    matrix: { v: ['../../x', '/abs'] }\n"])
        let run = try box.labmake("run")
        #expect(run.status == 0, "\(run.stderr)")
        let logs = try FileManager.default.contentsOfDirectory(atPath: box.root.appendingPathComponent(".labmake/logs").path)
        #expect(logs.count == 2, "\(logs)")
        #expect(logs.allSatisfy { !$0.contains("/") })
        #expect(!FileManager.default.fileExists(atPath: box.root.deletingLastPathComponent().deletingLastPathComponent()
                                                .appendingPathComponent("x.log").path))
    }
}
