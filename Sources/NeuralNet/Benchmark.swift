import ReproRandom

/// Micro-benchmarks of the network kernels (run by `testBenchmarkPrints` in
/// NeuralNetTests, or from the command line through any caller).
public enum NeuralNetBenchmark {
  /// One timing result: median and minimum over `repetitions` timed runs,
  /// each run averaging `iterations` passes, in microseconds per pass.
  public struct Result: Sendable, CustomStringConvertible {
    public let label: String
    public let medianMicroseconds: Double
    public let minimumMicroseconds: Double
    public init(label: String, medianMicroseconds: Double, minimumMicroseconds: Double) {
      self.label = label
      self.medianMicroseconds = medianMicroseconds
      self.minimumMicroseconds = minimumMicroseconds
    }
    public var description: String {
      "\(label): median \(format(medianMicroseconds)) µs, min \(format(minimumMicroseconds)) µs"
    }
    func format(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }
  }

  /// Median µs of one forward + backward (parameter gradients, no input
  /// gradient) of an MLP `sizes` on a minibatch of `batch`, in `Scalar`.
  @inlinable
  public static func forwardBackward<Scalar: NNScalar>(
    _ type: Scalar.Type, sizes: [Int] = [11, 64, 64, 3], activation: Activation = .tanh,
    batch: Int = 64, iterations: Int = 200, repetitions: Int = 15
  ) -> Result {
    let (net, input, dOut) = workload(Scalar.self, sizes: sizes, activation: activation, batch: batch, orthogonal: true)
    return time("\(Scalar.self) \(activation) \(sizes) batch \(batch) forward+backward", iterations: iterations, repetitions: repetitions) {
      input.withUnsafeBufferPointer { i in
        dOut.withUnsafeBufferPointer { d in
          net.zeroGradients()
          net.forward(input: i.baseAddress!, batch: batch)
          net.backward(outputGradient: d.baseAddress!)
        }
      }
    }
  }

  /// Median µs of one backward pass only (after one forward), with `zeroGradients`.
  @inlinable
  public static func backwardOnly<Scalar: NNScalar>(
    _ type: Scalar.Type, sizes: [Int] = [11, 64, 64, 3], activation: Activation = .tanh,
    batch: Int = 64, iterations: Int = 200, repetitions: Int = 15
  ) -> Result {
    let (net, input, dOut) = workload(Scalar.self, sizes: sizes, activation: activation, batch: batch, orthogonal: false)
    _ = net.forward(input, batch: batch)
    return time("\(Scalar.self) \(activation) \(sizes) batch \(batch) backward", iterations: iterations, repetitions: repetitions) {
      dOut.withUnsafeBufferPointer { d in
        net.zeroGradients()
        net.backward(outputGradient: d.baseAddress!)
      }
    }
  }

  /// Median µs of one forward pass only.
  @inlinable
  public static func forwardOnly<Scalar: NNScalar>(
    _ type: Scalar.Type, sizes: [Int] = [11, 64, 64, 3], activation: Activation = .tanh,
    batch: Int = 64, iterations: Int = 200, repetitions: Int = 15
  ) -> Result {
    let (net, input, _) = workload(Scalar.self, sizes: sizes, activation: activation, batch: batch, orthogonal: false)
    return time("\(Scalar.self) \(activation) \(sizes) batch \(batch) forward", iterations: iterations, repetitions: repetitions) {
      input.withUnsafeBufferPointer { i in _ = net.forward(input: i.baseAddress!, batch: batch) }
    }
  }

  /// Median µs of one single-sample `predict`.
  @inlinable
  public static func predict<Scalar: NNScalar>(
    _ type: Scalar.Type, sizes: [Int] = [11, 64, 64, 3], iterations: Int = 2000, repetitions: Int = 15
  ) -> Result {
    let net = MLP<Scalar>(sizes: sizes, activation: .tanh)
    var rng = Xoshiro256(seed: 1, stream: "benchmark")
    net.initializePyTorchDefault(rng: &rng)
    let input = (0..<sizes[0]).map { _ in Scalar(rng.nextNormal()) }
    var output = [Scalar](repeating: 0, count: sizes[sizes.count - 1])
    return time("\(Scalar.self) tanh \(sizes) predict (one sample)", iterations: iterations, repetitions: repetitions) {
      input.withUnsafeBufferPointer { i in
        output.withUnsafeMutableBufferPointer { o in net.predict(input: i.baseAddress!, output: o.baseAddress!) }
      }
    }
  }

  /// A seeded network and a minibatch of inputs and output gradients for the timings.
  @inlinable
  static func workload<Scalar: NNScalar>(
    _ type: Scalar.Type, sizes: [Int], activation: Activation, batch: Int, orthogonal: Bool
  ) -> (MLP<Scalar>, [Scalar], [Scalar]) {
    let net = MLP<Scalar>(sizes: sizes, activation: activation)
    var rng = Xoshiro256(seed: 1, stream: "benchmark")
    if orthogonal {
      net.initializeOrthogonal(gains: Array(repeating: 2.0.squareRoot(), count: sizes.count - 2) + [0.01], rng: &rng)
    } else {
      net.initializePyTorchDefault(rng: &rng)
    }
    let input = (0..<(batch * sizes[0])).map { _ in Scalar(rng.nextNormal()) }
    let dOut = (0..<(batch * sizes[sizes.count - 1])).map { _ in Scalar(rng.nextNormal()) }
    return (net, input, dOut)
  }

  @usableFromInline
  static func time(_ label: String, iterations: Int, repetitions: Int, _ body: () -> Void) -> Result {
    for _ in 0..<max(1, iterations / 4) { body() }  // warm-up
    let clock = ContinuousClock()
    var samples: [Double] = []
    for _ in 0..<repetitions {
      let start = clock.now
      for _ in 0..<iterations { body() }
      let d = clock.now - start
      let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
      samples.append(seconds * 1e6 / Double(iterations))
    }
    samples.sort()
    return Result(label: label, medianMicroseconds: samples[samples.count / 2], minimumMicroseconds: samples[0])
  }
}
