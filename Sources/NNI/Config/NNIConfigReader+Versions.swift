import Foundation
import SystemIO
import Tuner
import Yams

/// The keys of each version of NNI's config file, and what each one does.
extension NNIConfigReader {
    // MARK: - Version 2

    static let version2Keys = ["experimentName", "searchSpaceFile", "searchSpace", "trialCommand", "trialCodeDirectory", "trialConcurrency",
                               "trialGpuNumber", "maxExperimentDuration", "maxTrialDuration", "maxTrialNumber", "tuner", "assessor",
                               "advisor", "trainingService", "sharedStorage", "useAnnotation", "experimentType", "nniManagerIp", "debug",
                               "logLevel", "experimentWorkingDirectory", "tunerGpuIndices", "description", "authorName"]
    /// Keys that change nothing in labmake.
    static let version2Ignored = ["nniManagerIp", "debug", "logLevel", "experimentWorkingDirectory", "tunerGpuIndices", "description", "authorName"]

    mutating func readVersion2(_ entries: [Entry]) {
        for entry in entries {
            switch Self.canonical(entry.key) {
            case "experimentname": config.experimentName = string(entry)
            case "searchspacefile": setSpaceFile(entry)
            case "searchspace":
                if let json = json(entry.value) { config.searchSpace = mergeSpace(.inline(json), entry) }
            case "trialcommand": config.trialCommand = string(entry)
            case "trialcodedirectory": if let path = string(entry) { config.trialCodeDirectory = absolute(path) }
            case "trialconcurrency": config.trialConcurrency = int(entry, minimum: 1)
            case "trialgpunumber": setGPUNumber(entry)
            case "maxexperimentduration": config.maxExperimentDuration = duration(entry)
            case "maxtrialduration": config.maxTrialDuration = duration(entry)
            case "maxtrialnumber": config.maxTrialNumber = int(entry, minimum: 1)
            case "tuner": readAlgorithm(entry, role: .tuner, version: 2)
            case "assessor": readAlgorithm(entry, role: .assessor, version: 2)
            case "advisor": readAlgorithm(entry, role: .advisor, version: 2)
            case "trainingservice": readTrainingService(entry)
            case "sharedstorage": refuse(entry, "labmake runs trials on this machine only: there is no shared storage to set up")
            case "useannotation": setAnnotation(entry)
            case "experimenttype":
                if let type = string(entry), type.lowercased() != "hpo" {
                    refuse(entry, "experimentType '\(type)': labmake runs hyperparameter experiments (hpo), not NNI's neural architecture search")
                }
            case let key where Self.version2Ignored.map(Self.canonical).contains(key): ignore(entry)
            default: unknown(entry, among: Self.version2Keys, in: "an NNI v2 config")
            }
        }
    }

    mutating func readTrainingService(_ entry: Entry) {
        if case .sequence = entry.value {
            refuse(entry, "labmake runs trials on this machine only: a list of training services (hybrid mode) is not supported")
            return
        }
        guard let fields = mapping(entry) else { return }
        let keys = ["platform", "useActiveGpu", "maxTrialNumberPerGpu", "gpuIndices", "reuseMode", "trialCommandChannel"]
        for field in fields {
            switch Self.canonical(field.key) {
            case "platform":
                if let platform = string(field), platform.lowercased() != "local" {
                    refuse(field, "platform '\(platform)': labmake runs trials on this machine only (platform: local)")
                }
            case "gpuindices": setGPUIndices(field)
            case "useactivegpu", "maxtrialnumberpergpu", "reusemode", "trialcommandchannel": ignore(field, under: "trainingService")
            default: unknown(field, among: keys, in: "trainingService")
            }
        }
    }

    // MARK: - Version 1

    static let version1Keys = ["authorName", "experimentName", "trialConcurrency", "maxExecDuration", "maxTrialNum", "trainingServicePlatform",
                               "searchSpacePath", "useAnnotation", "multiPhase", "multiThread", "nniManagerIp", "logDir", "logLevel",
                               "logCollection", "debug", "versionCheck", "tuner", "assessor", "advisor", "trial", "localConfig",
                               "remoteConfig", "machineList", "paiConfig", "paiYarnConfig", "kubeflowConfig", "frameworkcontrollerConfig",
                               "amlConfig", "dlcConfig", "hybridConfig", "adlConfig", "description", "maxTrialDuration"]
    static let version1Ignored = ["authorName", "multiThread", "nniManagerIp", "logDir", "logLevel", "logCollection", "debug", "versionCheck",
                                  "description"]
    static let version1Remote = ["remoteConfig", "machineList", "paiConfig", "paiYarnConfig", "kubeflowConfig", "frameworkcontrollerConfig",
                                 "amlConfig", "dlcConfig", "hybridConfig", "adlConfig"]

    mutating func readVersion1(_ entries: [Entry]) {
        for entry in entries {
            switch Self.canonical(entry.key) {
            case "experimentname": config.experimentName = string(entry)
            case "trialconcurrency": config.trialConcurrency = int(entry, minimum: 1)
            case "maxexecduration": config.maxExperimentDuration = duration(entry)
            case "maxtrialduration": config.maxTrialDuration = duration(entry)
            case "maxtrialnum": config.maxTrialNumber = int(entry, minimum: 1)
            case "trainingserviceplatform":
                if let platform = string(entry), platform.lowercased() != "local" {
                    refuse(entry, "trainingServicePlatform '\(platform)': labmake runs trials on this machine only (local)")
                }
            case "searchspacepath": setSpaceFile(entry)
            case "useannotation": setAnnotation(entry)
            case "multiphase":
                if bool(entry) == true { refuse(entry, "multiPhase trials are not supported (NNI 2.0 and later refuse them too)") }
            case "tuner": readAlgorithm(entry, role: .tuner, version: 1)
            case "assessor": readAlgorithm(entry, role: .assessor, version: 1)
            case "advisor": readAlgorithm(entry, role: .advisor, version: 1)
            case "trial": readVersion1Trial(entry)
            case "localconfig":
                guard let fields = mapping(entry) else { continue }
                for field in fields {
                    switch Self.canonical(field.key) {
                    case "gpuindices": setGPUIndices(field)
                    case "maxtrialnumpergpu", "useactivegpu": ignore(field, under: "localConfig")
                    default: unknown(field, among: ["gpuIndices", "maxTrialNumPerGpu", "useActiveGpu"], in: "localConfig")
                    }
                }
            case let key where Self.version1Remote.map(Self.canonical).contains(key):
                refuse(entry, "\(entry.key): labmake runs trials on this machine only")
            case let key where Self.version1Ignored.map(Self.canonical).contains(key): ignore(entry)
            default: unknown(entry, among: Self.version1Keys, in: "an NNI v1 config")
            }
        }
    }

    mutating func readVersion1Trial(_ entry: Entry) {
        guard let fields = mapping(entry) else { return }
        for field in fields {
            switch Self.canonical(field.key) {
            case "command": config.trialCommand = string(field)
            case "codedir": if let path = string(field) { config.trialCodeDirectory = absolute(path) }
            case "gpunum": setGPUNumber(field)
            default: unknown(field, among: ["command", "codeDir", "gpuNum"], in: "trial")
            }
        }
    }
}
