/// labmake's version, as `--version` and the lab report print it.
public enum LabmakeVersion {
    public static let current = "0.1.0"
}
