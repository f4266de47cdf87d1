import Manifest
import SystemIO
import Pipeline
import LabmakeTesting
import Testing

@Suite("The manifest cache")
struct ManifestCacheTests {
    let yaml = """
        name: cached
        settings: {jobs: 3, seed: 7}
        params: {lr: 5e-4, layers: [64, 128], opt: {name: sgd, nesterov: true}}
        stages:
          prep: {cmd: 'prep ${params.lr}', params: [lr], deps: [prep.py], outs: [clean]}
          train:
            cmd: train ${params.bs}
            matrix: {bs: [32, 64]}
            deps: [clean]
            outs: ["model-${params.bs}.bin"]
          e: {uses: echo, with: {text: hi, times: 2}, needs: [train]}
        """

    @Test("a cached pipeline is the pipeline that was parsed")
    func roundTrip() throws {
        let fs = MemoryFileSystem()
        let parsed = try loader().parse(yaml, file: "p.yaml", workspaceRoot: "/ws")
        let cache = ManifestCache(path: "/ws/.labmake/manifest.cache", fileSystem: fs)
        cache.save(parsed, key: "k1")
        let loaded = try #require(cache.load(key: "k1"))
        #expect(loaded.name == parsed.name)
        #expect(loaded.settings == parsed.settings)
        #expect(loaded.params == parsed.params)
        #expect(loaded.stages == parsed.stages)
        #expect(loaded.graph.upstream == parsed.graph.upstream)
        #expect(loaded.graph.reads == parsed.graph.reads)
        #expect(cache.load(key: "k2") == nil, "another key misses")
    }

    @Test("the key changes with the text, the overrides, the kinds and the binary")
    func key() throws {
        let kinds = StageKindRegistry([CommandStage()])
        let base = ManifestCache.key(text: yaml, overrides: [], kinds: kinds, toolIdentity: "v1")
        #expect(ManifestCache.key(text: yaml + " ", overrides: [], kinds: kinds, toolIdentity: "v1") != base)
        #expect(ManifestCache.key(text: yaml, overrides: [try Override(parsing: "lr=1")], kinds: kinds, toolIdentity: "v1") != base)
        var more = kinds
        more.register(EchoKind())
        #expect(ManifestCache.key(text: yaml, overrides: [], kinds: more, toolIdentity: "v1") != base)
        #expect(ManifestCache.key(text: yaml, overrides: [], kinds: kinds, toolIdentity: "v2") != base)
    }

    @Test("a damaged cache file is ignored")
    func damaged() {
        let fs = MemoryFileSystem()
        fs.write("/c", "labmake-manifest-v1 garbage")
        #expect(ManifestCache(path: "/c", fileSystem: fs).load(key: "k") == nil)
    }
}
