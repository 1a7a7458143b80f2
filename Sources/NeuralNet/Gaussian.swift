import ReproRandom

/// Diagonal Gaussian N(μ, diag(σ²)) with σ = exp(logσ): per-sample log
/// probability, entropy, KL divergence and their gradients, over `dim`
/// contiguous values. Gradient functions ADD `scale ×` the gradient to their
/// outputs (so a minibatch mean is `scale = 1/batch`, summed over samples).
public enum DiagonalGaussian<Scalar: NNScalar> {
  /// ½ log(2π).
  @inlinable static var halfLog2Pi: Scalar { Scalar(0.91893853320467274178) }

  /// log N(a; μ, σ²) = Σᵢ −½((aᵢ − μᵢ)/σᵢ)² − logσᵢ − ½ log 2π.
  @inlinable
  public static func logProb(action: UnsafePointer<Scalar>, mean: UnsafePointer<Scalar>, logStd: UnsafePointer<Scalar>, dim: Int) -> Scalar {
    var s: Scalar = 0
    for i in 0..<dim {
      let z = (action[i] - mean[i]) / Scalar.nnExp(logStd[i])
      s += -0.5 * z * z - logStd[i] - halfLog2Pi
    }
    return s
  }

  /// Adds scale · ∂logProb/∂μ = scale · (a − μ)/σ² to `dMean` and
  /// scale · ∂logProb/∂logσ = scale · (((a − μ)/σ)² − 1) to `dLogStd`.
  @inlinable
  public static func addLogProbGradient(
    action: UnsafePointer<Scalar>, mean: UnsafePointer<Scalar>, logStd: UnsafePointer<Scalar>, dim: Int,
    scale: Scalar, dMean: UnsafeMutablePointer<Scalar>, dLogStd: UnsafeMutablePointer<Scalar>
  ) {
    for i in 0..<dim {
      let invStd = 1 / Scalar.nnExp(logStd[i])
      let z = (action[i] - mean[i]) * invStd
      dMean[i] += scale * z * invStd
      dLogStd[i] += scale * (z * z - 1)
    }
  }

  /// Entropy Σᵢ logσᵢ + ½(1 + log 2π); its gradient w.r.t. each logσᵢ is 1
  /// (and 0 w.r.t. μ).
  @inlinable
  public static func entropy(logStd: UnsafePointer<Scalar>, dim: Int) -> Scalar {
    var s: Scalar = 0
    for i in 0..<dim { s += logStd[i] + 0.5 + halfLog2Pi }
    return s
  }

  /// KL(old ‖ new) = Σᵢ logσₙ − logσₒ + (σₒ² + (μₒ − μₙ)²) / (2σₙ²) − ½.
  @inlinable
  public static func kl(
    oldMean: UnsafePointer<Scalar>, oldLogStd: UnsafePointer<Scalar>,
    newMean: UnsafePointer<Scalar>, newLogStd: UnsafePointer<Scalar>, dim: Int
  ) -> Scalar {
    var s: Scalar = 0
    for i in 0..<dim {
      let oldVar = Scalar.nnExp(2 * oldLogStd[i])
      let newVar = Scalar.nnExp(2 * newLogStd[i])
      let d = oldMean[i] - newMean[i]
      s += newLogStd[i] - oldLogStd[i] + (oldVar + d * d) / (2 * newVar) - 0.5
    }
    return s
  }

  /// Adds scale · ∂KL(old‖new)/∂μₙ = scale · (μₙ − μₒ)/σₙ² to `dNewMean` and
  /// scale · ∂KL/∂logσₙ = scale · (1 − (σₒ² + (μₒ − μₙ)²)/σₙ²) to `dNewLogStd`.
  @inlinable
  public static func addKLGradient(
    oldMean: UnsafePointer<Scalar>, oldLogStd: UnsafePointer<Scalar>,
    newMean: UnsafePointer<Scalar>, newLogStd: UnsafePointer<Scalar>, dim: Int,
    scale: Scalar, dNewMean: UnsafeMutablePointer<Scalar>, dNewLogStd: UnsafeMutablePointer<Scalar>
  ) {
    for i in 0..<dim {
      let oldVar = Scalar.nnExp(2 * oldLogStd[i])
      let newVar = Scalar.nnExp(2 * newLogStd[i])
      let d = oldMean[i] - newMean[i]
      dNewMean[i] += scale * (-d / newVar)
      dNewLogStd[i] += scale * (1 - (oldVar + d * d) / newVar)
    }
  }

  // MARK: Array conveniences (tests, small problems)

  @inlinable
  public static func logProb(action: [Scalar], mean: [Scalar], logStd: [Scalar]) -> Scalar {
    precondition(action.count == mean.count && mean.count == logStd.count)
    return logProb(action: action, mean: mean, logStd: logStd, dim: mean.count)
  }

  /// (∂logProb/∂μ, ∂logProb/∂logσ).
  @inlinable
  public static func logProbGradient(action: [Scalar], mean: [Scalar], logStd: [Scalar]) -> (dMean: [Scalar], dLogStd: [Scalar]) {
    var dm = [Scalar](repeating: 0, count: mean.count), ds = dm
    addLogProbGradient(action: action, mean: mean, logStd: logStd, dim: mean.count, scale: 1, dMean: &dm, dLogStd: &ds)
    return (dm, ds)
  }

  @inlinable
  public static func entropy(logStd: [Scalar]) -> Scalar { entropy(logStd: logStd, dim: logStd.count) }

  @inlinable
  public static func kl(oldMean: [Scalar], oldLogStd: [Scalar], newMean: [Scalar], newLogStd: [Scalar]) -> Scalar {
    precondition(oldMean.count == newMean.count && oldLogStd.count == newLogStd.count && oldMean.count == oldLogStd.count)
    return kl(oldMean: oldMean, oldLogStd: oldLogStd, newMean: newMean, newLogStd: newLogStd, dim: oldMean.count)
  }

  /// (∂KL(old‖new)/∂μₙ, ∂KL/∂logσₙ).
  @inlinable
  public static func klGradient(oldMean: [Scalar], oldLogStd: [Scalar], newMean: [Scalar], newLogStd: [Scalar]) -> (dMean: [Scalar], dLogStd: [Scalar]) {
    var dm = [Scalar](repeating: 0, count: newMean.count), ds = dm
    addKLGradient(oldMean: oldMean, oldLogStd: oldLogStd, newMean: newMean, newLogStd: newLogStd, dim: newMean.count,
                  scale: 1, dNewMean: &dm, dNewLogStd: &ds)
    return (dm, ds)
  }
}

/// Gaussian policy: mean = MLP(observation) (hidden activation, linear head),
/// state-independent log-std vector initialised to 0.
///
/// **One flat parameter vector**: the network's weights and biases (the `MLP`
/// layout) followed by the `actionSize` log-std values at `logStdOffset`;
/// `gradients` has the same layout. Adam, clipping and TRPO's flat vectors
/// act on `parameters`/`gradients` directly.
public final class GaussianPolicy<Scalar: NNScalar> {
  /// The mean network (its extra trailing parameters are the log-std).
  public let network: MLP<Scalar>
  public var observationSize: Int { network.inputSize }
  public var actionSize: Int { network.outputSize }
  /// Network parameters + log-std.
  public var parameterCount: Int { network.parameterCount }
  /// Offset of the log-std in the flat vector (= the network's parameter count).
  public var logStdOffset: Int { network.networkParameterCount }
  /// All parameters, flat (network, then log-std).
  public var parameters: UnsafeMutableBufferPointer<Scalar> { network.parameters }
  /// All gradients, flat, same layout.
  public var gradients: UnsafeMutableBufferPointer<Scalar> { network.gradients }
  /// The log-std (a view into `parameters`).
  public var logStd: UnsafeMutableBufferPointer<Scalar> {
    UnsafeMutableBufferPointer(rebasing: network.parameters[logStdOffset..<parameterCount])
  }
  /// The log-std gradient (a view into `gradients`).
  public var logStdGradient: UnsafeMutableBufferPointer<Scalar> {
    UnsafeMutableBufferPointer(rebasing: network.gradients[logStdOffset..<parameterCount])
  }

  /// Policy with all parameters zero; call an `initialize...` method.
  public init(observationSize: Int, actionSize: Int, hiddenSizes: [Int] = [64, 64], activation: Activation = .tanh) {
    network = MLP(sizes: [observationSize] + hiddenSizes + [actionSize], activation: activation, extraParameters: actionSize)
  }

  /// A policy with a copy of this one's parameters (log-std included).
  public func copy() -> GaussianPolicy {
    GaussianPolicy(network: network.copy())
  }

  init(network: MLP<Scalar>) { self.network = network }

  /// Orthogonal init (gain `hiddenGain` on hidden layers, `headGain` on the
  /// mean head, biases 0), log-std 0.
  public func initializeOrthogonal(hiddenGain: Double = 2.0.squareRoot(), headGain: Double = 0.01, rng: inout Xoshiro256) {
    let gains = [Double](repeating: hiddenGain, count: network.layerCount - 1) + [headGain]
    network.initializeOrthogonal(gains: gains, rng: &rng)
    logStd.update(repeating: 0)
  }

  /// PyTorch default Linear init on every layer, log-std 0.
  public func initializePyTorchDefault(rng: inout Xoshiro256) {
    network.initializePyTorchDefault(rng: &rng)
    logStd.update(repeating: 0)
  }

  /// Xavier-uniform weights on every layer, the mean head included (no head
  /// scaling), zero biases, log-std 0: the authors' `initialization: "xavier"`.
  public func initializeXavierUniform(rng: inout Xoshiro256) {
    network.initializeXavierUniform(rng: &rng)
    logStd.update(repeating: 0)
  }

  @inlinable public func zeroGradients() { network.zeroGradients() }

  /// Means for a minibatch (`batch × actionSize` view, valid until the next
  /// network call); keeps activations for `backward`.
  @inlinable @discardableResult
  public func means(observations: UnsafePointer<Scalar>, batch: Int) -> UnsafeMutableBufferPointer<Scalar> {
    network.forward(input: observations, batch: batch)
  }

  /// Samples an action for one observation: a = μ + exp(logσ) ⊙ ε, ε ~ N(0, I)
  /// drawn from `rng` (`nextNormal`, one per dimension, in order). Writes the
  /// mean too when `mean` is given. Uses the single-sample fast path.
  @inlinable
  public func sample(observation: UnsafePointer<Scalar>, rng: inout Xoshiro256,
                     action: UnsafeMutablePointer<Scalar>, mean: UnsafeMutablePointer<Scalar>? = nil) {
    network.predict(input: observation, output: action)
    mean?.update(from: action, count: actionSize)
    let ls = logStd
    for i in 0..<actionSize {
      action[i] += Scalar.nnExp(ls[i]) * Scalar(rng.nextNormal())
    }
  }

  /// Array convenience for `sample`.
  @inlinable
  public func sample(_ observation: [Scalar], rng: inout Xoshiro256) -> (action: [Scalar], mean: [Scalar]) {
    var a = [Scalar](repeating: 0, count: actionSize), m = a
    sample(observation: observation, rng: &rng, action: &a, mean: &m)
    return (a, m)
  }

  /// Log-probabilities of `actions` (`batch × actionSize`) under the policy at
  /// `observations`; runs `means` (so `backward` can follow).
  @inlinable
  public func logProbabilities(observations: UnsafePointer<Scalar>, actions: UnsafePointer<Scalar>, batch: Int,
                               into out: UnsafeMutablePointer<Scalar>) {
    let mu = means(observations: observations, batch: batch)
    let ls = UnsafePointer(logStd.baseAddress!)
    let d = actionSize
    for b in 0..<batch {
      out[b] = DiagonalGaussian.logProb(action: actions + b * d, mean: mu.baseAddress! + b * d, logStd: ls, dim: d)
    }
  }

  /// Backward for the last `means`: ADDS to `gradients` the parameter
  /// gradient of a loss given dLoss/dMean (`batch × actionSize`) and
  /// dLoss/dLogStd (`actionSize`, already summed over the batch).
  @inlinable
  public func backward(meanGradient: UnsafePointer<Scalar>, logStdGradient dLogStd: UnsafePointer<Scalar>) {
    network.backward(outputGradient: meanGradient)
    let g = logStdGradient
    for i in 0..<actionSize { g[i] += dLogStd[i] }
  }

  /// Exact Fisher-vector product of the mean KL, plus damping:
  /// F v = (1/B) Σ_b J_bᵀ diag(1/σ²) J_b v_θ  ⊕  2 v_logσ,  result += damping · v,
  /// where J_b = ∂μ(s_b)/∂θ (forward-mode `jvp`, then `backward` for Jᵀ).
  /// This is the Hessian of mean_b KL(π_old(s_b) ‖ π(s_b)) at π = π_old.
  /// `vector` and `result` have the policy's flat layout. `gradients` is left
  /// as it was. Runs a forward pass on `observations`.
  @inlinable
  public func fisherVectorProduct(observations: UnsafePointer<Scalar>, batch: Int, vector: UnsafePointer<Scalar>,
                                  damping: Scalar, result: UnsafeMutablePointer<Scalar>) {
    let n = parameterCount, d = actionSize
    let saved = Array(gradients)
    let jv = network.jvp(input: observations, batch: batch, direction: vector)
    let ls = logStd
    let invB = 1 / Scalar(batch)
    for i in 0..<d {
      let w = invB / Scalar.nnExp(2 * ls[i])
      var p = jv.baseAddress! + i
      for _ in 0..<batch { p.pointee *= w; p += d }
    }
    network.zeroGradients()
    network.backward(outputGradient: jv.baseAddress!)
    let g = gradients
    for k in 0..<logStdOffset { result[k] = g[k] + damping * vector[k] }
    for k in logStdOffset..<n { result[k] = 2 * vector[k] + damping * vector[k] }
    _ = g.update(fromContentsOf: saved)
  }

  /// Array convenience for `fisherVectorProduct`.
  @inlinable
  public func fisherVectorProduct(observations: [Scalar], batch: Int, vector: [Scalar], damping: Scalar) -> [Scalar] {
    precondition(observations.count == batch * observationSize && vector.count == parameterCount)
    var r = [Scalar](repeating: 0, count: parameterCount)
    observations.withUnsafeBufferPointer { o in
      vector.withUnsafeBufferPointer { v in
        r.withUnsafeMutableBufferPointer { fisherVectorProduct(observations: o.baseAddress!, batch: batch, vector: v.baseAddress!, damping: damping, result: $0.baseAddress!) }
      }
    }
    return r
  }
}
