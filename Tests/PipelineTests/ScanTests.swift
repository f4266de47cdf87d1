import Pipeline
import SystemIO
import Testing

@Suite("Staleness reasons")
struct ScanTests {
    let id = ContentID(digest: String(repeating: "a", count: 64), kind: .file)
    let other = ContentID(digest: String(repeating: "b", count: 64), kind: .file)

    func fingerprint(lr: Double, cmd: String = "train", dep: ContentID?, input: ContentID?) -> StageFingerprint {
        let stage = StageDefinition(name: "train", command: cmd, params: ["lr": .double(lr)], deps: ["data/x.csv", "b.txt"], outs: ["model.bin"])
        return StageFingerprint(definition: StageFingerprint.definition(of: stage, version: "1"),
                                deps: ContentMap([("data/x.csv", dep)]), inputs: ContentMap([("b:b.txt", input)]))
    }

    func record(_ f: StageFingerprint, outputs: ContentMap) -> StageRecord {
        StageRecord(stage: "train", key: f.key, definition: f.definition, deps: f.deps, inputs: f.inputs,
                    outputs: outputs, startedAt: 0, seconds: 0)
    }

    @Test("up to date when key and outputs match")
    func upToDate() {
        let f = fingerprint(lr: 0.1, dep: id, input: id)
        let outputs = ContentMap([("model.bin", id)])
        #expect(Scan.reasons(current: f, outputs: outputs, previous: record(f, outputs: outputs)).isEmpty)
        #expect(Scan.reasons(current: f, outputs: outputs, previous: nil) == [.neverRun])
    }

    @Test("reasons come in order: definition, dependencies, inputs, outputs, each in the documented words")
    func everything() {
        let old = fingerprint(lr: 0.1, dep: id, input: id)
        let new = fingerprint(lr: 0.05, dep: other, input: other)
        let reasons = Scan.reasons(current: new, outputs: ContentMap([("model.bin", nil)]),
                                   previous: record(old, outputs: ContentMap([("model.bin", id)])))
        #expect(reasons.map(\.description) == [
            "param lr changed 0.1 → 0.05", "dep data/x.csv changed", "input b.txt from stage b changed", "output model.bin missing",
        ])
    }

    @Test("a changed command is named without quoting it whole; a hand-edited output is 'modified'")
    func commandAndOutput() {
        let old = fingerprint(lr: 0.1, dep: id, input: id)
        let new = fingerprint(lr: 0.1, cmd: "train --fast", dep: id, input: id)
        let reasons = Scan.reasons(current: new, outputs: ContentMap([("model.bin", other)]),
                                   previous: record(old, outputs: ContentMap([("model.bin", id)])))
        #expect(reasons.map(\.description) == ["command changed", "output model.bin modified"])
    }

    @Test("definitions are canonical: 0.10 and 0.1 are one parameter; field order is fixed")
    func canonical() {
        let a = StageDefinition(name: "s", command: "c", params: ["b": .double(0.1), "a": .int(1)], with: ["z": .bool(true)])
        let b = StageDefinition(name: "s", command: "c", params: ["a": .double(1.0), "b": .double(0.10)], with: ["z": .bool(true)])
        #expect(StageFingerprint.definition(of: a, version: "1") == StageFingerprint.definition(of: b, version: "1"))
        #expect(StageFingerprint.definition(of: a, version: "1") ==
                "command\t\"c\"\ndeps\t[]\nkind\t\"cmd\"\nouts\t[]\nparam:a\t1\nparam:b\t0.1\nversion\t\"1\"\nwith:z\ttrue\n")
        #expect(StageFingerprint.definition(of: a, version: "2") != StageFingerprint.definition(of: a, version: "1"))
    }

    @Test("content maps round-trip through their text form")
    func contentMap() {
        let map = ContentMap([("b", nil), ("a dir", ContentID(digest: String(repeating: "c", count: 64), kind: .directory)),
                              ("x", ContentID(digest: String(repeating: "d", count: 64), kind: .executable))])
        let back = ContentMap(encoded: map.encoded)
        #expect(back == map)
        #expect(back.paths == ["a dir", "b", "x"])
        #expect(back["x"]?.kind == .executable)
        #expect(!back.isComplete)
    }

    @Test("the verdict: a matching stat signature reads nothing; force, upstream staleness and content each make a stage stale")
    func verdict() throws {
        let f = fingerprint(lr: 0.1, dep: id, input: id)
        let outputs = ContentMap([("model.bin", id)])
        let previous = record(f, outputs: outputs)
        var measured = 0
        func verdict(force: Bool = false, upstream: [String] = [], matches: Bool, current: StageFingerprint = f) -> Verdict {
            Scan.verdict(force: force, upstreamStale: upstream, signatureMatches: matches, recordedOutputs: outputs,
                         measure: { measured += 1; return (current, outputs) }, previous: { previous })
        }
        guard case .upToDate = verdict(matches: true) else { Issue.record("a matching signature is up to date"); return }
        #expect(measured == 0, "no content is read when the stat signature vouches for the stage")
        guard case .upToDate = verdict(matches: false) else { Issue.record("same content is up to date"); return }
        #expect(measured == 1)
        guard case .stale(_, let forced, _) = verdict(force: true, matches: true) else { Issue.record("forced"); return }
        #expect(forced == [.forced])
        guard case .stale(_, let upstream, _) = verdict(upstream: ["prep"], matches: true) else { Issue.record("upstream"); return }
        #expect(upstream == [.upstreamStale(stage: "prep")])
        guard case .stale(_, let changed, _) = verdict(matches: false, current: fingerprint(lr: 0.1, dep: other, input: id)) else {
            Issue.record("a changed dependency makes it stale"); return
        }
        #expect(changed == [.dependencyChanged(path: "data/x.csv", missing: false)])
        #expect(changed[0].code == "dependency_changed")
        #expect(changed[0].details == ["path": "data/x.csv"])
    }
}


@Suite("Stat signatures and file hashes")
struct SignatureTests {
    @Test("a signature covers definition and file status, and refuses directories, missing and racy files")
    func signature() {
        let old = FileStat(kind: .file, device: 1, inode: 2, size: 3, mtimeNanoseconds: 1_000_000_000)
        let stats = ["/f": old, "/d": FileStat(kind: .directory)]
        let now = 10.0
        let a = StatSignature.compute(definition: "x", paths: ["/f"], now: now) { stats[$0] }
        #expect(a != nil)
        #expect(StatSignature.compute(definition: "y", paths: ["/f"], now: now) { stats[$0] } != a)
        var touched = old
        touched.mtimeNanoseconds += 1
        #expect(StatSignature.compute(definition: "x", paths: ["/f"], now: now) { _ in touched } != a)
        #expect(StatSignature.compute(definition: "x", paths: ["/d"], now: now) { stats[$0] } == nil)
        #expect(StatSignature.compute(definition: "x", paths: ["/missing"], now: now) { stats[$0] } == nil)
        #expect(StatSignature.compute(definition: "x", paths: ["/f"], now: 1.01) { stats[$0] } == nil, "modified 10 ms ago: racy")
    }
}
