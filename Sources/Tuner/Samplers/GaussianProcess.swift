import Foundation

/// A Gaussian-process regression model on points of the unit cube: a constant prior mean, a Matérn-5/2
/// kernel with one length scale per dimension (ARD), a signal variance and a noise variance, the last
/// three fitted by maximising the marginal likelihood (with weak priors that keep them sane on a handful
/// of points). Small enough to refit from scratch at every suggestion: O(n³) for n observations.
struct GaussianProcess {
    let points: [[Double]]
    /// What the model predicts far from every point.
    let priorMean: Double
    /// The observed targets less the prior mean: what the kernel models.
    private let residuals: [Double]
    private(set) var logLengthScales: [Double]
    private(set) var logSignalVariance = 0.0
    private(set) var logNoiseVariance = log(1e-3)
    /// Cholesky factor of the kernel matrix (lower, row-major), and K⁻¹y.
    private var factor: [Double] = []
    private var alpha: [Double] = []

    /// Length scales start at half the cube's side and are pulled towards it by their prior.
    static let priorLogLengthScale = log(0.5)
    static let noiseRange = (log(1e-6), log(0.1))

    init(points: [[Double]], targets: [Double], priorMean: Double = 0) {
        self.points = points
        self.priorMean = priorMean
        residuals = targets.map { $0 - priorMean }
        logLengthScales = Array(repeating: Self.priorLogLengthScale, count: points.first?.count ?? 0)
    }

    /// Fits the hyperparameters (`steps` of Adam on the log marginal likelihood plus log priors) and
    /// factorises the kernel matrix for predictions; false when it is not positive definite.
    @discardableResult
    mutating func fit(steps: Int = 60) -> Bool {
        let d = logLengthScales.count
        var parameters = logLengthScales + [logSignalVariance, logNoiseVariance]
        var m = Array(repeating: 0.0, count: parameters.count), v = m
        let rate = 0.08, beta1 = 0.9, beta2 = 0.999
        for t in 1...Swift.max(steps, 1) {
            guard let gradient = objectiveGradient(parameters) else { break }
            for i in parameters.indices {
                m[i] = beta1 * m[i] + (1 - beta1) * gradient[i]
                v[i] = beta2 * v[i] + (1 - beta2) * gradient[i] * gradient[i]
                let step = rate * (m[i] / (1 - pow(beta1, Double(t)))) / ((v[i] / (1 - pow(beta2, Double(t)))).squareRoot() + 1e-8)
                parameters[i] += step  // ascent
            }
            for i in 0..<d { parameters[i] = Swift.min(Swift.max(parameters[i], log(0.01)), log(20)) }
            parameters[d] = Swift.min(Swift.max(parameters[d], log(0.05)), log(20))
            parameters[d + 1] = Swift.min(Swift.max(parameters[d + 1], Self.noiseRange.0), Self.noiseRange.1)
        }
        logLengthScales = Array(parameters[0..<d])
        logSignalVariance = parameters[d]
        logNoiseVariance = parameters[d + 1]
        return prepare()
    }

    /// Factorises the kernel matrix for predictions; false when it is not positive definite.
    @discardableResult
    mutating func prepare() -> Bool {
        guard let (l, a) = Self.factorise(points, residuals, logLengthScales, logSignalVariance, logNoiseVariance) else { return false }
        factor = l
        alpha = a
        return true
    }

    /// The posterior mean and standard deviation at `x`.
    func predict(_ x: [Double]) -> (mean: Double, sd: Double) {
        let n = points.count
        guard n > 0, !factor.isEmpty else { return (priorMean, exp(logSignalVariance / 2)) }
        let scales = logLengthScales.map { exp(-$0) }
        var k = [Double](repeating: 0, count: n)
        for i in 0..<n { k[i] = Self.kernel(x, points[i], scales, exp(logSignalVariance)) }
        var mean = priorMean
        for i in 0..<n { mean += k[i] * alpha[i] }
        // v = L⁻¹k; variance = k(x,x) − vᵀv.
        var w = k
        for i in 0..<n {
            var s = w[i]
            for j in 0..<i { s -= factor[i * n + j] * w[j] }
            w[i] = s / factor[i * n + i]
        }
        var variance = exp(logSignalVariance)
        for i in 0..<n { variance -= w[i] * w[i] }
        return (mean, Swift.max(variance, 1e-12).squareRoot())
    }

    // MARK: - Likelihood

    static func kernel(_ a: [Double], _ b: [Double], _ inverseScales: [Double], _ signal: Double) -> Double {
        var r2 = 0.0
        for d in a.indices {
            let t = (a[d] - b[d]) * inverseScales[d]
            r2 += t * t
        }
        let r = (5 * r2).squareRoot()
        return signal * (1 + r + r * r / 3) * exp(-r)
    }

    /// Cholesky factor of K + noise·I and K⁻¹y; nil when the factorisation fails.
    static func factorise(_ x: [[Double]], _ y: [Double], _ logScales: [Double], _ logSignal: Double, _ logNoise: Double)
        -> (factor: [Double], alpha: [Double])? {
        let n = x.count
        let scales = logScales.map { exp(-$0) }, signal = exp(logSignal), noise = exp(logNoise) + 1e-9
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var s = kernel(x[i], x[j], scales, signal) + (i == j ? noise : 0)
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                if i == j {
                    guard s > 0 else { return nil }
                    l[i * n + i] = s.squareRoot()
                } else {
                    l[i * n + j] = s / l[j * n + j]
                }
            }
        }
        // alpha = L⁻ᵀ L⁻¹ y
        var z = y
        for i in 0..<n {
            var s = z[i]
            for k in 0..<i { s -= l[i * n + k] * z[k] }
            z[i] = s / l[i * n + i]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {
            var s = z[i]
            for k in (i + 1)..<n { s -= l[k * n + i] * z[k] }
            z[i] = s / l[i * n + i]
        }
        return (l, z)
    }

    /// The gradient of the log marginal likelihood plus the log priors with respect to
    /// (log length scales…, log signal variance, log noise variance); nil when K is not positive definite.
    func objectiveGradient(_ parameters: [Double]) -> [Double]? {
        let d = logLengthScales.count, n = points.count
        let logScales = Array(parameters[0..<d]), logSignal = parameters[d], logNoise = parameters[d + 1]
        guard let (l, alpha) = Self.factorise(points, residuals, logScales, logSignal, logNoise) else { return nil }
        // K⁻¹ from the factor: L⁻¹ first, then (L⁻¹)ᵀ L⁻¹.
        var inverseL = [Double](repeating: 0, count: n * n)
        for c in 0..<n {
            for i in c..<n {
                var s = i == c ? 1.0 : 0.0
                for k in c..<i { s -= l[i * n + k] * inverseL[k * n + c] }
                inverseL[i * n + c] = s / l[i * n + i]
            }
        }
        // W = ααᵀ − K⁻¹ (symmetric).
        var w = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var kinv = 0.0
                for k in i..<n { kinv += inverseL[k * n + i] * inverseL[k * n + j] }
                let value = alpha[i] * alpha[j] - kinv
                w[i * n + j] = value
                w[j * n + i] = value
            }
        }
        let scales = logScales.map { exp(-$0) }, signal = exp(logSignal)
        var gradient = [Double](repeating: 0, count: d + 2)
        for i in 0..<n {
            for j in 0..<n {
                var r2 = 0.0
                for k in 0..<d {
                    let t = (points[i][k] - points[j][k]) * scales[k]
                    r2 += t * t
                }
                let r = (5 * r2).squareRoot()
                let e = exp(-r)
                let kij = signal * (1 + r + r * r / 3) * e
                // dk/d(r²) for the Matérn 5/2 kernel.
                let dkdr2 = -5.0 / 6.0 * signal * (1 + r) * e
                for k in 0..<d {
                    let t = (points[i][k] - points[j][k]) * scales[k]
                    gradient[k] += 0.5 * w[i * n + j] * dkdr2 * (-2 * t * t)
                }
                gradient[d] += 0.5 * w[i * n + j] * kij
            }
            gradient[d + 1] += 0.5 * w[i * n + i] * exp(logNoise)
        }
        // Weak priors: length scales log-normal around 0.5, the signal variance around 1, the noise small.
        for k in 0..<d { gradient[k] -= (logScales[k] - Self.priorLogLengthScale) / 1.0 }
        gradient[d] -= logSignal / 1.0
        gradient[d + 1] -= (logNoise - log(1e-4)) / 4.0
        return gradient
    }
}
