import Manifest
import Pipeline
import LabmakeTesting
import Testing

@Suite("Resolving a valid pipeline")
struct ResolutionTests {
    func parse(_ yaml: String, _ overrides: [String] = []) throws -> PipelineDefinition {
        try loader().parse(yaml, file: "p.yaml", workspaceRoot: "/ws", overrides: overrides.map { try Override(parsing: $0) })
    }

    func stage(_ p: PipelineDefinition, _ name: String) throws -> StageDefinition {
        try #require(p.stages.first { $0.name == name })
    }

    @Test("parameters resolve: pipeline < stage's own < --set")
    func precedence() throws {
        let yaml = """
            params: {lr: 0.1, epochs: 30, weight_decay: 5e-4}
            stages:
              a: {cmd: "train ${params.lr} ${params.weight_decay}", params: [lr, weight_decay]}
              b: {cmd: "train ${params.lr}", params: {lr: 0.05}}
            """
        let p = try parse(yaml)
        #expect(try stage(p, "a").command == "train 0.1 0.0005")
        #expect(try stage(p, "a").params == ["lr": .double(0.1), "weight_decay": .double(0.0005)])
        #expect(try stage(p, "b").command == "train 0.05")
        let overridden = try parse(yaml, ["lr=0.2"])
        #expect(try stage(overridden, "a").command == "train 0.2 0.0005")
        #expect(try stage(overridden, "b").command == "train 0.2")
        #expect(overridden.params["lr"] == .double(0.2))
    }

    @Test("a stage keys only on the parameters it reads")
    func declaredParameters() throws {
        let p = try parse("params: {lr: 0.1, epochs: 3}\nstages:\n  a: {cmd: x, params: [epochs]}\n  b: {cmd: y}\n")
        #expect(try stage(p, "a").params == ["epochs": .int(3)])
        #expect(try stage(p, "b").params.isEmpty)
    }

    @Test("a matrix expands into one stage per combination, named after its values")
    func matrix() throws {
        let p = try parse("""
            stages:
              train:
                cmd: "train --lr ${params.lr} --bs ${params.bs} > out/${params.lr}-${params.bs}.txt"
                matrix: {lr: [0.1, 0.01], bs: [64, 128]}
                outs: ["out/${params.lr}-${params.bs}.txt"]
              report:
                cmd: cat out/*
                needs: [train]
            """)
        let names = p.stages.map(\.name)
        #expect(names.filter { $0.hasPrefix("train@") } == ["train@lr=0.1,bs=64", "train@lr=0.1,bs=128", "train@lr=0.01,bs=64", "train@lr=0.01,bs=128"])
        #expect(try stage(p, "train@lr=0.01,bs=128").outs == ["out/0.01-128.txt"])
        #expect(try stage(p, "report").needs.count == 4)
        #expect(p.graph.upstream[try #require(p.graph.index(of: "report"))].count == 4)
    }

    @Test("a dependency on another stage's output is an edge, without needs")
    func impliedEdges() throws {
        let p = try parse("stages:\n  b: {cmd: y, deps: [out/a.txt]}\n  a: {cmd: x, outs: [out/a.txt]}\n")
        #expect(p.stages.map(\.name) == ["a", "b"])
        #expect(p.graph.upstream[1] == [0])
    }

    @Test("a dependency on a directory that holds another stage's output is an edge")
    func directoryDependency() throws {
        let p = try parse("stages:\n  a: {cmd: x, outs: [out/a.txt]}\n  b: {cmd: y, deps: [out]}\n")
        #expect(p.graph.upstream[1] == [0])
    }

    @Test("settings are read, and stay at their defaults when absent")
    func settings() throws {
        let p = try parse("name: lab\nsettings: {device: 'vulkan:1', seed: 7, jobs: 3}\nstages:\n  a: {cmd: x}\n")
        #expect(p.name == "lab")
        #expect(p.settings == PipelineSettings(device: "vulkan:1", seed: 7, jobs: 3))
        #expect(try parse("stages:\n  a: {cmd: x}\n").settings == PipelineSettings())
    }

    @Test("YAML 1.2 scalars: 5e-4 is a number, quoted numbers are text, yes is text")
    func scalars() throws {
        let p = try parse("params: {a: 5e-4, b: '5e-4', c: yes, d: 0x1F, e: ~, f: [1, 2.5]}\nstages:\n  s: {cmd: x, params: [a, b, c, d, e, f]}\n")
        #expect(p.params == ["a": .double(0.0005), "b": .string("5e-4"), "c": .string("yes"), "d": .int(31), "e": .null,
                             "f": .array([.int(1), .double(2.5)])])
    }

    @Test("--set STAGE.KEY sets an option of a built-in stage")
    func stageOption() throws {
        let p = try parse("stages:\n  e: {uses: echo, with: {text: hi}}\n", ["e.times=3", "e.text=bye"])
        #expect(try stage(p, "e").with == ["times": .int(3), "text": .string("bye")])
    }

    @Test("shell variables other than ${params.…} are left to the shell")
    func shellVariables() throws {
        #expect(try stage(try parse("stages:\n  a: {cmd: 'echo ${HOME} $USER'}\n"), "a").command == "echo ${HOME} $USER")
    }

    @Test("${params.NAME:q} quotes the value as one shell word; ${params.NAME} substitutes it as it is")
    func quoted() throws {
        let yaml = """
            params: {msg: "hi"}
            stages:
              a: {cmd: "echo ${params.msg:q} ${params.msg}", params: [msg]}
            """
        #expect(try stage(try parse(yaml), "a").command == "echo 'hi' hi")
        let hostile = try parse(yaml, ["msg=it's; rm -rf x"])
        #expect(try stage(hostile, "a").command == "echo 'it'\\''s; rm -rf x' it's; rm -rf x")
    }
}
