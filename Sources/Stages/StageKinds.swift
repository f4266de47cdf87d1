import Datasets
import Pipeline

/// Every stage kind labmake knows, registered in one place.
///
/// Each built-in kind reads its `with:` through one typed options parser (``CIFAR10Options``, ``IDXOptions``,
/// ``TuneOptions``, `SweepStage.sweep`, `TrainStage.Options`, `ReportStage.Options`, ``TrialOptions``),
/// which `optionDependencies`, `validate` and `run` share: a problem found there is reported with the
/// option's file:line:col before anything runs, and `run` receives typed values.
public enum StageKinds {
    /// The registry the command line uses.
    public static var registry: StageKindRegistry {
        StageKindRegistry([CommandStageKind(), CIFAR10Stage()] + IDXDataset.allCases.map(IDXStage.init)
                          + [SweepStage(), TuneStage(), TrainStage(), ReportStage()])
    }
}
