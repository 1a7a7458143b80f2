import ReproRandom

/// Hidden-layer nonlinearity of an `MLP` (the output layer is always linear).
public enum Activation: String, Sendable, Codable, CaseIterable {
  case tanh
  case relu
}

/// A dense multilayer perceptron, `sizes = [inputs, hidden..., outputs]`,
/// `activation` after every hidden layer, linear output.
///
/// **Flat parameter layout.** All parameters live in ONE contiguous buffer,
/// `parameters`, with gradients in `gradients` (same layout):
/// layer 0 weights, layer 0 biases, layer 1 weights, layer 1 biases, ...,
/// then `extraParameterCount` trailing values that the network itself never
/// reads (a `GaussianPolicy` keeps its log-std there, so the whole policy is
/// one flat vector). Weights of layer `l` (`nIn = sizes[l]`, `nOut = sizes[l+1]`)
/// are stored input-major: `parameters[weightOffset(l) + k * nOut + j]` connects
/// input `k` to output `j` (the transpose of PyTorch's `weight[j][k]`).
///
/// **Workspace.** `forward` keeps every layer's activations in buffers owned by
/// the network (grown on demand, never per sample), which `backward` and `jvp`
/// reuse. Output views returned by `forward`/`jvp` stay valid until the next
/// call. An `MLP` is not thread-safe: one agent, one thread.
public final class MLP<Scalar: NNScalar> {
  /// Layer widths, input first, output last.
  public let sizes: [Int]
  /// Hidden nonlinearity.
  public let activation: Activation
  /// Number of weights and biases.
  public let networkParameterCount: Int
  /// Trailing parameters after the network's (owned by the caller's model).
  public let extraParameterCount: Int
  /// `networkParameterCount + extraParameterCount`.
  public var parameterCount: Int { networkParameterCount + extraParameterCount }
  /// All parameters, flat (see the type's documentation for the layout).
  public let parameters: UnsafeMutableBufferPointer<Scalar>
  /// Gradient accumulator, same layout as `parameters`; `backward` adds to it.
  public let gradients: UnsafeMutableBufferPointer<Scalar>

  @usableFromInline let weightOffsets: [Int]
  @usableFromInline let biasOffsets: [Int]
  @usableFromInline let maxWidth: Int
  /// Batch capacity of the workspace.
  @usableFromInline var capacity = 0
  /// activations[l]: batch × sizes[l] (activations[0] is a copy of the input).
  @usableFromInline var activations: [UnsafeMutablePointer<Scalar>] = []
  /// Two batch × maxWidth scratch buffers (backward deltas, JVP tangents).
  @usableFromInline var scratchA: UnsafeMutablePointer<Scalar>
  @usableFromInline var scratchB: UnsafeMutablePointer<Scalar>
  /// batch × outputSize: the result of `jvp` (kept apart from the scratch
  /// buffers so that it can be fed straight into `backward`).
  @usableFromInline var tangentOut: UnsafeMutablePointer<Scalar>
  /// Batch size of the last `forward`.
  @usableFromInline var lastBatch = 0
  /// Single-sample buffers for `predict` (2 × maxWidth).
  @usableFromInline let single: UnsafeMutablePointer<Scalar>
  /// One layer's weights transposed to output-major (`backward` uses it so
  /// that dLoss/dInput = dz·Wᵀ runs through the same vectorised kernel as the
  /// forward pass instead of horizontal-sum dot products).
  @usableFromInline let transposed: UnsafeMutablePointer<Scalar>

  /// Number of layers with weights (`sizes.count - 1`).
  public var layerCount: Int { sizes.count - 1 }
  /// Input width.
  public var inputSize: Int { sizes[0] }
  /// Output width.
  public var outputSize: Int { sizes[sizes.count - 1] }

  /// A network with all parameters zero (initialise with `initializeOrthogonal`
  /// or `initializePyTorchDefault`).
  public init(sizes: [Int], activation: Activation, extraParameters: Int = 0) {
    precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "MLP needs at least two positive layer sizes")
    precondition(extraParameters >= 0)
    self.sizes = sizes
    self.activation = activation
    var w: [Int] = [], b: [Int] = []
    var offset = 0
    for l in 0..<(sizes.count - 1) {
      w.append(offset); offset += sizes[l] * sizes[l + 1]
      b.append(offset); offset += sizes[l + 1]
    }
    weightOffsets = w
    biasOffsets = b
    networkParameterCount = offset
    extraParameterCount = extraParameters
    parameters = .allocate(capacity: offset + extraParameters)
    parameters.initialize(repeating: 0)
    gradients = .allocate(capacity: offset + extraParameters)
    gradients.initialize(repeating: 0)
    maxWidth = sizes.max() ?? 1
    scratchA = .allocate(capacity: 1)
    scratchB = .allocate(capacity: 1)
    tangentOut = .allocate(capacity: 1)
    single = .allocate(capacity: 2 * maxWidth)
    single.initialize(repeating: 0, count: 2 * maxWidth)
    let maxWeights = (0..<(sizes.count - 1)).map { sizes[$0] * sizes[$0 + 1] }.max() ?? 1
    transposed = .allocate(capacity: maxWeights)
    transposed.initialize(repeating: 0, count: maxWeights)
  }

  deinit {
    parameters.deallocate()
    gradients.deallocate()
    for a in activations { a.deallocate() }
    scratchA.deallocate()
    scratchB.deallocate()
    tangentOut.deallocate()
    single.deallocate()
    transposed.deallocate()
  }

  /// A new network with the same shape and a copy of the parameters
  /// (gradients zero, fresh workspace), e.g. an "old policy" snapshot.
  public func copy() -> MLP {
    let other = MLP(sizes: sizes, activation: activation, extraParameters: extraParameterCount)
    _ = other.parameters.update(fromContentsOf: parameters)
    return other
  }

  /// Offset of layer `l`'s weights in the flat vector.
  public func weightOffset(layer l: Int) -> Int { weightOffsets[l] }
  /// Offset of layer `l`'s biases in the flat vector.
  public func biasOffset(layer l: Int) -> Int { biasOffsets[l] }

  /// The parameters as an array (a copy).
  public var parameterArray: [Scalar] {
    get { Array(parameters) }
    set {
      precondition(newValue.count == parameterCount, "parameter count mismatch")
      _ = parameters.update(fromContentsOf: newValue)
    }
  }

  /// The gradients as an array (a copy).
  public var gradientArray: [Scalar] { Array(gradients) }

  /// Sets every gradient (including the extra trailing ones) to zero.
  @inlinable
  public func zeroGradients() {
    gradients.update(repeating: 0)
  }

  /// Grows the workspace to hold `batch` samples.
  @inlinable
  func reserve(batch: Int) {
    if batch <= capacity { return }
    let newCapacity = Swift.max(batch, capacity * 2)
    for a in activations { a.deallocate() }
    activations = sizes.map { UnsafeMutablePointer<Scalar>.allocate(capacity: newCapacity * $0) }
    for (a, n) in zip(activations, sizes) { a.initialize(repeating: 0, count: newCapacity * n) }
    scratchA.deallocate(); scratchB.deallocate(); tangentOut.deallocate()
    tangentOut = .allocate(capacity: newCapacity * outputSize)
    tangentOut.initialize(repeating: 0, count: newCapacity * outputSize)
    scratchA = .allocate(capacity: newCapacity * maxWidth)
    scratchA.initialize(repeating: 0, count: newCapacity * maxWidth)
    scratchB = .allocate(capacity: newCapacity * maxWidth)
    scratchB.initialize(repeating: 0, count: newCapacity * maxWidth)
    capacity = newCapacity
  }

  // MARK: Forward

  /// Forward pass over a minibatch. `input` is row-major `batch × inputSize`.
  /// Returns a view of the outputs (`batch × outputSize`, row-major), valid
  /// until the next call on this network. Keeps the activations for `backward`.
  @inlinable @discardableResult
  public func forward(input: UnsafePointer<Scalar>, batch: Int) -> UnsafeMutableBufferPointer<Scalar> {
    precondition(batch > 0, "empty batch")
    reserve(batch: batch)
    lastBatch = batch
    let p = UnsafePointer(parameters.baseAddress!)
    activations[0].update(from: input, count: batch * sizes[0])
    let last = sizes.count - 2
    for l in 0...last {
      let y = activations[l + 1]
      denseForward(
        x: activations[l], batch: batch, nIn: sizes[l],
        w: p + weightOffsets[l], bias: p + biasOffsets[l], nOut: sizes[l + 1],
        y: y, accumulate: false)
      if l < last { applyActivation(activation, y, count: batch * sizes[l + 1]) }
    }
    return UnsafeMutableBufferPointer(start: activations[last + 1], count: batch * outputSize)
  }

  /// Array convenience for `forward(input:batch:)`.
  @inlinable
  public func forward(_ input: [Scalar], batch: Int) -> [Scalar] {
    precondition(input.count == batch * inputSize, "input must be batch × inputSize")
    return input.withUnsafeBufferPointer { Array(forward(input: $0.baseAddress!, batch: batch)) }
  }

  /// Single-sample forward for rollouts: writes `outputSize` values to `output`.
  /// Does not touch the minibatch workspace. Same arithmetic as `forward`
  /// (a batch of one gives the same bits).
  @inlinable
  public func predict(input: UnsafePointer<Scalar>, output: UnsafeMutablePointer<Scalar>) {
    let p = UnsafePointer(parameters.baseAddress!)
    var x = UnsafePointer(input)
    var bufs = (single, single + maxWidth)
    let last = sizes.count - 2
    for l in 0...last {
      let y = l == last ? output : bufs.0
      denseForward(
        x: x, batch: 1, nIn: sizes[l],
        w: p + weightOffsets[l], bias: p + biasOffsets[l], nOut: sizes[l + 1],
        y: y, accumulate: false)
      if l < last { applyActivation(activation, y, count: sizes[l + 1]) }
      x = UnsafePointer(y)
      bufs = (bufs.1, bufs.0)
    }
  }

  /// Array convenience for `predict(input:output:)`.
  @inlinable
  public func predict(_ input: [Scalar]) -> [Scalar] {
    precondition(input.count == inputSize)
    var out = [Scalar](repeating: 0, count: outputSize)
    input.withUnsafeBufferPointer { i in
      out.withUnsafeMutableBufferPointer { o in predict(input: i.baseAddress!, output: o.baseAddress!) }
    }
    return out
  }

  // MARK: Backward

  /// Backward pass for the last `forward`: given dLoss/dOutput (row-major
  /// `batch × outputSize`), ADDS dLoss/dParameters to `gradients` (call
  /// `zeroGradients()` first for a fresh gradient). If `inputGradient` is
  /// given, writes dLoss/dInput there (`batch × inputSize`).
  /// This is also the vector–Jacobian product Jᵀu for TRPO.
  @inlinable
  public func backward(outputGradient: UnsafePointer<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>? = nil) {
    let batch = lastBatch
    precondition(batch > 0, "backward needs a forward first")
    let p = UnsafePointer(parameters.baseAddress!)
    let g = gradients.baseAddress!
    var dz = outputGradient
    var bufs = (scratchA, scratchB)
    for l in stride(from: sizes.count - 2, through: 0, by: -1) {
      let nIn = sizes[l], nOut = sizes[l + 1]
      denseBackwardWeights(
        x: activations[l], dz: dz, batch: batch, nIn: nIn, nOut: nOut,
        dW: g + weightOffsets[l], db: g + biasOffsets[l])
      if l > 0 {
        let dx = bufs.0
        inputGradientKernel(dz: dz, batch: batch, nIn: nIn, nOut: nOut, w: p + weightOffsets[l], dx: dx)
        multiplyActivationDerivative(activation, dx, activated: activations[l], count: batch * nIn)
        dz = UnsafePointer(dx)
        bufs = (bufs.1, bufs.0)
      } else if let inputGradient {
        inputGradientKernel(dz: dz, batch: batch, nIn: nIn, nOut: nOut, w: p + weightOffsets[l], dx: inputGradient)
      }
    }
  }

  /// dx = dz · Wᵀ: transpose W (input-major → output-major), then the forward kernel.
  @inlinable
  func inputGradientKernel(dz: UnsafePointer<Scalar>, batch: Int, nIn: Int, nOut: Int,
                           w: UnsafePointer<Scalar>, dx: UnsafeMutablePointer<Scalar>) {
    let t = transposed
    for k in 0..<nIn {
      let row = w + k * nOut
      for j in 0..<nOut { t[j * nIn + k] = row[j] }
    }
    denseForward(x: dz, batch: batch, nIn: nOut, w: t, bias: nil, nOut: nIn, y: dx, accumulate: false)
  }

  /// Array convenience for `backward`: accumulates parameter gradients and
  /// returns dLoss/dInput (`batch × inputSize`).
  @inlinable @discardableResult
  public func backward(_ outputGradient: [Scalar]) -> [Scalar] {
    precondition(outputGradient.count == lastBatch * outputSize, "output gradient must be batch × outputSize")
    var dx = [Scalar](repeating: 0, count: lastBatch * inputSize)
    outputGradient.withUnsafeBufferPointer { o in
      dx.withUnsafeMutableBufferPointer { d in backward(outputGradient: o.baseAddress!, inputGradient: d.baseAddress!) }
    }
    return dx
  }

  // MARK: Forward-mode JVP

  /// Jacobian–vector product: runs `forward` on `input`, then returns, per
  /// sample, d(output)/d(parameters) · `direction` (row-major
  /// `batch × outputSize`, a view valid until the next call). `direction` has
  /// the flat parameter layout (`parameterCount` values; the extra trailing
  /// entries are ignored). With `backward` (Jᵀu) this gives TRPO's exact
  /// Fisher-vector product Jᵀ M J v. The activations of the forward pass
  /// remain available for `backward`.
  @inlinable @discardableResult
  public func jvp(input: UnsafePointer<Scalar>, batch: Int, direction: UnsafePointer<Scalar>) -> UnsafeMutableBufferPointer<Scalar> {
    forward(input: input, batch: batch)
    let p = UnsafePointer(parameters.baseAddress!)
    var bufs = (scratchA, scratchB)
    let last = sizes.count - 2
    // Tangent of layer l's output: ż = a_{l-1}·Ẇ + ḃ + ȧ_{l-1}·W; ȧ = σ'(z) ⊙ ż.
    for l in 0...last {
      let t = l == last ? tangentOut : bufs.0
      denseForward(
        x: activations[l], batch: batch, nIn: sizes[l],
        w: direction + weightOffsets[l], bias: direction + biasOffsets[l], nOut: sizes[l + 1],
        y: t, accumulate: false)
      if l > 0 {
        denseForward(
          x: bufs.1, batch: batch, nIn: sizes[l],
          w: p + weightOffsets[l], bias: nil, nOut: sizes[l + 1],
          y: t, accumulate: true)
      }
      if l < last {
        multiplyActivationDerivative(activation, t, activated: activations[l + 1], count: batch * sizes[l + 1])
      }
      bufs = (bufs.1, bufs.0)
    }
    return UnsafeMutableBufferPointer(start: tangentOut, count: batch * outputSize)
  }

  /// Array convenience for `jvp(input:batch:direction:)`.
  @inlinable
  public func jvp(_ input: [Scalar], batch: Int, direction: [Scalar]) -> [Scalar] {
    precondition(input.count == batch * inputSize && direction.count == parameterCount)
    return input.withUnsafeBufferPointer { i in
      direction.withUnsafeBufferPointer { d in
        Array(jvp(input: i.baseAddress!, batch: batch, direction: d.baseAddress!))
      }
    }
  }
}
