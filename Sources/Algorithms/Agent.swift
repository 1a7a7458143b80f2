import NeuralNet
import ReproRandom
import RunModel

/// The learner's networks: a Gaussian policy (mean from an MLP, state-independent
/// log-std stored as the MLP's trailing extra parameters, so the whole policy is
/// one flat vector) and a separate value MLP, each with its own Adam.
///
/// Networks compute in `Float` (see the NeuralNet module for the measurement
/// behind that choice); losses, advantages and statistics are `Double`.
public final class Agent {
  /// The Gaussian policy (NeuralNet's `GaussianPolicy`: mean MLP, then log-std, one flat vector).
  public let gaussian: GaussianPolicy<Float>
  /// Its mean network, whose flat parameters include the log-std as trailing extras.
  public var policy: MLP<Float> { gaussian.network }
  public let valueNet: MLP<Float>
  var policyAdam: Adam<Float>
  var valueAdam: Adam<Float>
  public let observationSize: Int
  public let actionSize: Int
  private var single: [Float]
  private var singleValue: [Float] = [0]

  public init(observationSize: Int, actionSize: Int, config: TrainerConfig, seed: UInt64) {
    self.observationSize = observationSize
    self.actionSize = actionSize
    let act: Activation = config.activation == .tanh ? .tanh : .relu
    gaussian = GaussianPolicy(observationSize: observationSize, actionSize: actionSize,
                              hiddenSizes: config.hiddenSizes, activation: act)
    valueNet = MLP(sizes: [observationSize] + config.hiddenSizes + [1], activation: act)
    var rng = Xoshiro256(seed: seed, stream: "init")
    let hidden = [Double](repeating: 2.0.squareRoot(), count: config.hiddenSizes.count)
    switch config.initialization {
    case .orthogonal:
      // Section 3, optimization 3: orthogonal init with layer scaling (√2 hidden, 0.01 policy head, 1 value head).
      gaussian.initializeOrthogonal(hiddenGain: 2.0.squareRoot(), headGain: 0.01, rng: &rng)
      valueNet.initializeOrthogonal(gains: hidden + [1.0], rng: &rng)
    case .xavier:
      gaussian.initializeXavierUniform(rng: &rng)
      valueNet.initializeXavierUniform(rng: &rng)
    case .default:
      gaussian.initializePyTorchDefault(rng: &rng)
      valueNet.initializePyTorchDefault(rng: &rng)
    }
    policyAdam = Adam(parameterCount: gaussian.parameterCount, epsilon: config.adamEpsilon)
    valueAdam = Adam(parameterCount: valueNet.parameterCount, epsilon: config.adamEpsilon)
    single = [Float](repeating: 0, count: max(actionSize, 1))
  }

  /// The policy's log-std (Double copies of the trailing parameters).
  public var logStd: [Double] { policy.extraParameterArray.map { Double($0) } }

  /// Policy mean for one observation.
  func policyMean(_ obs: [Float], into mean: inout [Double]) {
    policy.predict(obs, into: &single)
    for i in 0..<actionSize { mean[i] = Double(single[i]) }
  }

  /// V(s) for one observation.
  func value(_ obs: [Float]) -> Double {
    valueNet.predict(obs, into: &singleValue)
    return Double(singleValue[0])
  }

  /// Policy means for a batch (count × actionSize, Double).
  func policyMeans(_ observations: [Float], count: Int) -> [Double] {
    policy.forward(observations, batch: count).map { Double($0) }
  }

  /// The first non-finite parameter of either network, if any.
  func nonFiniteParameter() -> String? {
    for (name, net) in [("policy", policy), ("value", valueNet)] {
      if let bad = net.firstNonFiniteParameter() { return "\(name) parameter[\(bad.index)] is \(bad.value)" }
    }
    return nil
  }
}

/// Gathers rows `indices` of a row-major matrix with `width` columns.
func gatherRows<T>(_ m: [T], width: Int, _ indices: [Int]) -> [T] {
  [T](unsafeUninitializedCapacity: indices.count * width) { out, count in
    m.withUnsafeBufferPointer { src in
      var o = out.baseAddress!
      for i in indices {
        precondition(i >= 0 && (i + 1) * width <= src.count, "gatherRows: row \(i) out of range")
        o.initialize(from: src.baseAddress! + i * width, count: width)
        o += width
      }
    }
    count = indices.count * width
  }
}
