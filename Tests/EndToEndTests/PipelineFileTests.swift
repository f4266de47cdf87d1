import Foundation
import Testing

@Suite("Pipeline files across runs")
struct PipelineFileTests {
    @Test("an edited pipeline file is read again, never served stale from the cache")
    func editedPipeline() throws {
        let box = try Sandbox(["labmake.yaml": "stages:\n  a: {cmd: 'echo 1 > a.txt', outs: [a.txt]}\n"])
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["a": "executed"])
        try box.write("labmake.yaml", "stages:\n  a: {cmd: 'echo 1 > a.txt', outs: [a.txt]}\n  b: {cmd: 'cat a.txt > b.txt', deps: [a.txt], outs: [b.txt]}\n")
        #expect(try statuses(box.labmake("run", "--json").stdout) == ["a": "cached", "b": "executed"])
        try box.write("labmake.yaml", "stages:\n  a: {cmd: 'echo 1 > a.txt', outs: [a.txt]}\n  b: {cmd: 3}\n")
        let broken = try box.labmake("run")
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("labmake.yaml:3:12: error: cmd of stage 'b' must be a string"))
    }

    @Test("a dependency deleted after a cached load still stops the run before anything runs")
    func deletedDependency() throws {
        let box = try Sandbox([
            "labmake.yaml": "stages:\n  a: {cmd: 'echo 1 > a.txt', outs: [a.txt]}\n  b: {cmd: 'cat src.txt > b.txt', deps: [src.txt], outs: [b.txt]}\n",
            "src.txt": "x\n",
        ])
        #expect(try box.labmake("run").status == 0)
        try FileManager.default.removeItem(atPath: box.root.appendingPathComponent("src.txt").path)
        try FileManager.default.removeItem(atPath: box.root.appendingPathComponent("a.txt").path)
        let run = try box.labmake("run")
        #expect(run.status == 2)
        #expect(run.stderr.contains("dependency 'src.txt' of stage 'b' is neither an existing file nor an output of any stage"))
        #expect(!box.exists("a.txt"), "nothing ran")
    }

    @Test("the README's example pipeline runs, then has nothing to do, then reruns what a parameter touches")
    func example() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("pipelines/examples/hello.yaml")
        let box = try Sandbox(["hello.yaml": try String(contentsOf: source, encoding: .utf8)])
        let first = try box.labmake("run", "hello.yaml")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("[summary] HELLO, WORLD!"))
        #expect(try statuses(box.labmake("run", "hello.yaml", "--json").stdout).values.allSatisfy { $0 == "cached" })
        let bonjour = try statuses(box.labmake("run", "hello.yaml", "--json", "--set", "greeting=Bonjour").stdout)
        #expect(bonjour == ["words": "cached", "greet": "executed", "shout": "executed", "count": "executed", "summary": "executed"])
    }
}
