import Foundation
import LabmakeTesting
import Testing

/// Nothing labmake writes, restores or logs lands outside the workspace, and no link is followed in
/// circles, whatever the outputs, the store or the names hold.
@Suite("The workspace's boundary", .serialized)
struct WorkspaceBoundaryTests {
    @Test("an output folder holding links to itself fails its stage with a message, at once", arguments: [1, 2])
    func selfLinks(count: Int) throws {
        let links = (1...count).map { "ln -s . out/loop\($0)" }.joined(separator: "; ")
        let box = try Sandbox(["labmake.yaml": "stages:\n  s: {cmd: 'mkdir -p out; echo x > out/f; \(links)', outs: [out]}\n"])
        let run = try box.labmake("run", timeout: 60)
        #expect(run.status == 1)
        #expect((run.stderr + run.stdout).contains("out/loop1: is a symbolic link"), "\(run.stderr)")
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
