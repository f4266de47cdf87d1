import Manifest
import Pipeline
import Testing

@Suite("--set arguments")
struct OverrideTests {
    @Test("NAME=VALUE sets a parameter, typed as YAML")
    func parameter() throws {
        let o = try Override(parsing: "lr=5e-4")
        #expect(o.target == .parameter("lr"))
        #expect(o.value == .double(0.0005))
        #expect(try Override(parsing: "epochs=30").value == .int(30))
        #expect(try Override(parsing: "optimizer=adam").value == .string("adam"))
        #expect(try Override(parsing: "nesterov=true").value == .bool(true))
        #expect(try Override(parsing: "note=").value == .string(""))
    }

    @Test("STAGE.KEY=VALUE sets one stage's option")
    func stageOption() throws {
        #expect(try Override(parsing: "tune.max_trials=30").target == .stageOption(stage: "tune", key: "max_trials"))
        #expect(try Override(parsing: "data.url=file:///tmp/x.tar.gz").value == .string("file:///tmp/x.tar.gz"))
    }

    @Test("malformed arguments are refused with the reason", arguments: ["lr", "=3", ".x=1", "tune.=1"])
    func malformed(_ text: String) {
        #expect(throws: OverrideError.self) { try Override(parsing: text) }
    }
}
