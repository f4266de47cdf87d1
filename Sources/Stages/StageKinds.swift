import Pipeline

/// Every stage kind labmake knows, registered in one place.
public enum StageKinds {
    /// The registry the command line uses.
    public static var registry: StageKindRegistry {
        StageKindRegistry([CommandStage(), CIFAR10Stage(), SweepStage(), TuneStage(), TrainStage(), ReportStage()])
    }
}
