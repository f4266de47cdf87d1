import SystemIO
import Tuner

/// What NNI's local training service gives a trial, so that an unmodified NNI trial script (NNI 1.8
/// to 3.0) receives its parameters and reports its metrics through files: `parameter.cfg` and
/// `.nni/metrics` in a folder of its own, and the variables that point the SDK at them.
public enum NNITrialProtocol {
    /// Where the SDK reads the trial's parameters, relative to the trial's folder.
    public static let parameterFile = "parameter.cfg"
    /// Where the SDK appends metric frames, relative to the trial's folder.
    public static let metricsFile = ".nni/metrics"
    /// Where the SDK logs, and where `print()` lands once the SDK replaces `sys.stdout`.
    public static let logFile = "trial.log"

    /// Inherited variables that would switch the SDK to another channel (3.0's HTTP channel, stdout
    /// framing, multi-phase) or make it do something else than run the trial.
    public static let removedVariables = ["NNI_TRIAL_COMMAND_CHANNEL", "REUSE_MODE", "MULTI_PHASE", "SDK_PROCESS",
                                          "NNI_GEN_SEARCH_SPACE", "NNI_PARAMETERS_FILE"]

    /// `parameter.cfg`'s text: NNI's parameter record, in plain JSON (NNI 1.8 reads it with `json.load`).
    public static func parameterRecord(_ configuration: Configuration, parameterID: Int) -> String {
        "{\"parameter_id\": \(parameterID), \"parameter_source\": \"algorithm\", \"parameters\": \(configuration.json), \"parameter_index\": 0}"
    }

    /// The variables of NNI's local platform for one trial.
    /// - Parameters:
    ///   - experimentID: a file-name-safe id of the experiment (``experimentID(_:)``).
    ///   - folder: the trial's own folder (`NNI_SYS_DIR` and `NNI_OUTPUT_DIR`).
    ///   - sequence: 0, 1, 2, … in the order trials were proposed.
    ///   - codeDirectory: where the trial runs.
    public static func variables(experimentID: String, trialJobID: String, folder: String, sequence: Int,
                                 codeDirectory: String) -> [String: String] {
        ["NNI_PLATFORM": "local", "NNI_EXP_ID": experimentID, "NNI_TRIAL_JOB_ID": trialJobID, "NNI_SYS_DIR": folder,
         "NNI_OUTPUT_DIR": folder, "NNI_TRIAL_SEQ_ID": String(sequence), "NNI_CODE_DIR": codeDirectory]
    }

    /// An experiment's name as an id safe in file names, URLs and shells: letters, digits, `.`, `_` and
    /// `-`; anything else becomes `-` (`tune#9de2fd2d4419` → `tune-9de2fd2d4419`).
    public static func experimentID(_ name: String) -> String {
        let id = String(name.unicodeScalars.map { scalar -> Character in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": Character(scalar)
            default: "-"
            }
        })
        return id.isEmpty || id.hasPrefix(".") ? "x" + id : id
    }

    /// The shell NNI runs trial commands with: bash (`/bin/sh` where there is none).
    public static func shell(fileSystem: any FileSystem) -> String {
        fileSystem.exists("/bin/bash") ? "/bin/bash" : "/bin/sh"
    }

    /// A trial's job id within its experiment: `trial-N`.
    public static func trialJobID(number: Int) -> String { "trial-\(number)" }
}
