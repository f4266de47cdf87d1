import Foundation
import NNI
import Testing
import Tuner

@Suite("NNI's metrics file and stdout records")
struct NNIMetricFramesTests {
    /// Bytes NNI 3.0's SDK wrote for a trial (from the research notes): two PERIODICAL records and the FINAL.
    static let captured = #"""
        ME000101{"parameter_id": 0, "trial_job_id": "t0001", "type": "PERIODICAL", "sequence": 0, "value": "0.6925"}
        ME000099{"parameter_id": 0, "trial_job_id": "t0001", "type": "PERIODICAL", "sequence": 1, "value": "0.77"}
        ME000094{"parameter_id": 0, "trial_job_id": "t0001", "type": "FINAL", "sequence": 0, "value": "0.77"}

        """#

    @Test("frames NNI 3.0 wrote decode to its records, fed whole or a byte at a time")
    func capturedFrames() throws {
        let bytes = Array(Self.captured.utf8)
        var whole = NNIMetricFrames()
        let records = try whole.feed(bytes)
        #expect(records.map(\.kind) == [.periodical, .periodical, .final])
        #expect(records.map(\.value) == [0.6925, 0.77, 0.77])
        #expect(records.map(\.sequence) == [0, 1, 0])
        #expect(records.allSatisfy { $0.trialJobID == "t0001" && $0.parameterID == 0 && $0.details == nil })
        #expect(!whole.hasPartialFrame)
        #expect(whole.offset == bytes.count)

        var bytewise = NNIMetricFrames()
        var seen: [NNIMetricRecord] = []
        for byte in bytes { seen += try bytewise.feed([byte]) }
        #expect(seen == records)
    }

    @Test("an object metric keeps its other keys; NaN and infinities as Python writes them; fractions stay fractions")
    func values() throws {
        func decode(_ value: String) throws -> NNIMetricRecord {
            let body = #"{"parameter_id": 3, "trial_job_id": "x", "type": "FINAL", "sequence": 0, "value": "# + value + "}\n"
            return try NNIMetricRecord.decode(Data(body.utf8))
        }
        let object = try decode(#""{\"default\": 0.93, \"loss\": 0.1, \"note\": \"ok\"}""#)
        #expect(object.value == 0.93)
        let details = try #require(object.details)
        #expect(details.contains("\"loss\":0.1") && details.contains("\"note\":\"ok\""))
        #expect(try decode(#""NaN""#).value.isNaN)
        #expect(try decode(#""-Infinity""#).value == -.infinity)
        #expect(try decode(#""{\"default\": Infinity, \"text\": \"NaN stays a word\"}""#).details?.contains("NaN stays a word") == true)
        // Foundation's JSON5 mode reads 0.664192330617872 as the integer 0; the reader must not.
        #expect(try decode(#""0.664192330617872""#).value == 0.664192330617872)
        #expect(try decode(#""5""#).value == 5)
        #expect(throws: NNIError.self) { try decode(#""\"high\"""#) }
        #expect(throws: NNIError.self) { try decode(#""{\"loss\": 0.1}""#) }
        #expect(throws: NNIError.self) { try decode(#""[1, 2]""#) }
    }

    @Test("a frame of another type, or without a six-digit length, is an error; an incomplete one waits")
    func malformed() throws {
        var other = NNIMetricFrames()
        #expect(throws: NNIError.self) { try other.feed(Array("XX000010{}\n".utf8)) }
        var length = NNIMetricFrames()
        #expect(throws: NNIError.self) { try length.feed(Array("ME00a010{}\n".utf8)) }
        var partial = NNIMetricFrames()
        #expect(try partial.feed(Array("ME000101{\"parameter_id\"".utf8)).isEmpty)
        #expect(partial.hasPartialFrame)
        var junk = NNIMetricFrames()
        #expect(throws: NNIError.self) { try junk.feed(Array("ME000003abc".utf8)) }
    }

    @Test("NNISDK_MEb'…' lines on stdout carry the same records; other lines carry none")
    func stdoutLines() throws {
        let line = #"NNISDK_MEb'{"parameter_id": 0, "trial_job_id": "a", "type": "PERIODICAL", "sequence": 2, "value": "0.5"}'"#
        let record = try #require(try NNIMetricFrames.stdoutRecord(line))
        #expect(record.kind == .periodical && record.value == 0.5 && record.sequence == 2)
        #expect(try NNIMetricFrames.stdoutRecord("0.93") == nil)
        #expect(try NNIMetricFrames.stdoutRecord("NNISDK_ME but not a record") == nil)
        #expect(throws: NNIError.self) { try NNIMetricFrames.stdoutRecord("NNISDK_MEb'{not json}'") }
    }

    @Test("parameter.cfg is NNI's parameter record in plain JSON; ids are safe in file names")
    func trialFiles() throws {
        let configuration = try Tuner.Configuration.parse(json: #"{"lr": 0.1, "conv": {"_name": "Conv", "k": 3}}"#)
        let text = NNITrialProtocol.parameterRecord(configuration, parameterID: 4)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(record["parameter_id"] as? Int == 4 && record["parameter_source"] as? String == "algorithm" && record["parameter_index"] as? Int == 0)
        let parameters = try #require(record["parameters"] as? [String: Any])
        #expect(parameters["lr"] as? Double == 0.1)
        #expect((parameters["conv"] as? [String: Any])?["_name"] as? String == "Conv")
        #expect(NNITrialProtocol.experimentID("tune#9de2fd2d4419") == "tune-9de2fd2d4419")
        #expect(NNITrialProtocol.experimentID("../a b") == "x..-a-b")
    }
}
