import CDNNL
import Compute

/// oneDNN and libgomp, loaded the first time the CPU backend is made (see `CDNNL/shim.h`): their
/// functions, under their C names, through ``api``.
enum OneDNN {
    /// The libraries' functions, or why they could not be loaded.
    static let library: Result<lm_dnnl_api, ComputeError> = {
        let api = lm_dnnl_load()
        if let error = api.error {
            return .failure(ComputeError("the CPU backend needs oneDNN (Debian's libdnnl2 and libgomp1): \(String(cString: error))"))
        }
        return .success(api)
    }()

    /// The functions; only called after ``CPUBackend`` checked ``library``.
    static var api: lm_dnnl_api {
        switch library {
        case .success(let api): return api
        case .failure(let error): preconditionFailure("\(error)")
        }
    }
}

/// Function pointers and a constant message, set once when the libraries load and never changed.
extension lm_dnnl_api: @unchecked @retroactive Sendable {}
