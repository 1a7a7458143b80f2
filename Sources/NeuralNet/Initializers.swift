import ReproRandom

/// Weight initialisers (all in `Double`, deterministic from a `Xoshiro256`).
public enum Initializers {
  /// An orthogonal `rows × cols` matrix (row-major) times `gain`, as
  /// `torch.nn.init.orthogonal_` builds it: fill a `rows × cols` matrix with
  /// N(0, 1) draws (row-major, in stream order), transpose it if rows < cols,
  /// take its reduced QR decomposition, multiply Q's columns by sign(diag R),
  /// transpose back. The QR here is modified Gram–Schmidt applied twice
  /// ("twice is enough"), whose R has a positive diagonal, which is exactly
  /// the sign-corrected Q of PyTorch (QR with positive diag R is unique).
  ///
  /// Result: W Wᵀ = gain² I if rows ≤ cols, Wᵀ W = gain² I otherwise.
  public static func orthogonal(rows: Int, cols: Int, gain: Double, rng: inout Xoshiro256) -> [Double] {
    precondition(rows > 0 && cols > 0)
    var a = [Double](repeating: 0, count: rows * cols)
    for i in 0..<(rows * cols) { a[i] = rng.nextNormal() }
    // Work on the tall matrix m × n (m ≥ n), stored column by column.
    let transpose = rows < cols
    let m = transpose ? cols : rows
    let n = transpose ? rows : cols
    var q = [[Double]](repeating: [Double](repeating: 0, count: m), count: n)
    for c in 0..<n {
      for r in 0..<m { q[c][r] = transpose ? a[c * cols + r] : a[r * cols + c] }
    }
    for c in 0..<n {
      for _ in 0..<2 {
        for prev in 0..<c {
          var dot = 0.0
          for r in 0..<m { dot += q[prev][r] * q[c][r] }
          for r in 0..<m { q[c][r] -= dot * q[prev][r] }
        }
      }
      var norm = 0.0
      for r in 0..<m { norm += q[c][r] * q[c][r] }
      norm = norm.squareRoot()
      precondition(norm > 0, "orthogonal init: rank-deficient Gaussian draw")
      for r in 0..<m { q[c][r] /= norm }
    }
    var w = [Double](repeating: 0, count: rows * cols)
    for r in 0..<rows {
      for c in 0..<cols {
        // Tall case: W[r][c] = Q[r][c]; wide case: W = Qᵀ, W[r][c] = Q[c][r].
        w[r * cols + c] = gain * (transpose ? q[r][c] : q[c][r])
      }
    }
    return w
  }

  /// `torch.nn.init.xavier_uniform_` (gain 1) for one `fanOut × fanIn` weight
  /// matrix (row-major): U(−a, a) with a = √(6 / (fanIn + fanOut)), drawn in order.
  public static func xavierUniform(fanIn: Int, fanOut: Int, rng: inout Xoshiro256) -> [Double] {
    let a = (6.0 / Double(fanIn + fanOut)).squareRoot()
    return (0..<(fanIn * fanOut)).map { _ in rng.uniform(-a, a) }
  }

  /// PyTorch's default `nn.Linear` init for one layer: weights and biases
  /// U(−1/√fan_in, 1/√fan_in) (kaiming_uniform_ with a = √5 gives exactly this
  /// bound). Returns (weights row-major `fanOut × fanIn`, biases); draws the
  /// weights first, then the biases.
  public static func pytorchDefaultLinear(fanIn: Int, fanOut: Int, rng: inout Xoshiro256) -> (weights: [Double], biases: [Double]) {
    let bound = 1.0 / Double(fanIn).squareRoot()
    let w = (0..<(fanIn * fanOut)).map { _ in rng.uniform(-bound, bound) }
    let b = (0..<fanOut).map { _ in rng.uniform(-bound, bound) }
    return (w, b)
  }
}

extension MLP {
  /// Sets layer `l`'s weights from a PyTorch-layout (`nOut × nIn`, row-major)
  /// matrix and its biases, converting to this network's input-major layout.
  public func setLayer(_ l: Int, weights: [Double], biases: [Double]) {
    let nIn = sizes[l], nOut = sizes[l + 1]
    precondition(weights.count == nIn * nOut && biases.count == nOut, "layer shape mismatch")
    let w = weightOffsets[l], b = biasOffsets[l]
    for j in 0..<nOut {
      for k in 0..<nIn { parameters[w + k * nOut + j] = Scalar(weights[j * nIn + k]) }
      parameters[b + j] = Scalar(biases[j])
    }
  }

  /// Layer `l`'s weights in PyTorch layout (`nOut × nIn`, row-major), as `Double`.
  public func layerWeights(_ l: Int) -> [Double] {
    let nIn = sizes[l], nOut = sizes[l + 1]
    let w = weightOffsets[l]
    var out = [Double](repeating: 0, count: nIn * nOut)
    for j in 0..<nOut { for k in 0..<nIn { out[j * nIn + k] = Double(parameters[w + k * nOut + j]) } }
    return out
  }

  /// Layer `l`'s biases, as `Double`.
  public func layerBiases(_ l: Int) -> [Double] {
    (0..<sizes[l + 1]).map { Double(parameters[biasOffsets[l] + $0]) }
  }

  /// Orthogonal initialisation: layer `l` gets `Initializers.orthogonal` with
  /// `gains[l]` (the caller chooses, e.g. √2 for hidden layers, 0.01 for a
  /// policy head, 1 for a value head), biases 0. Layers are drawn in order
  /// from `rng`. Extra trailing parameters are left untouched.
  public func initializeOrthogonal(gains: [Double], rng: inout Xoshiro256) {
    precondition(gains.count == layerCount, "one gain per layer")
    for l in 0..<layerCount {
      let w = Initializers.orthogonal(rows: sizes[l + 1], cols: sizes[l], gain: gains[l], rng: &rng)
      setLayer(l, weights: w, biases: [Double](repeating: 0, count: sizes[l + 1]))
    }
  }

  /// Xavier-uniform weights (`Initializers.xavierUniform`) on every layer, the
  /// output layer included, biases 0, drawn in layer order: the authors'
  /// `initialize_weights(..., "xavier")`, which ignores the head scales of the
  /// orthogonal scheme. Extra trailing parameters untouched.
  public func initializeXavierUniform(rng: inout Xoshiro256) {
    for l in 0..<layerCount {
      let w = Initializers.xavierUniform(fanIn: sizes[l], fanOut: sizes[l + 1], rng: &rng)
      setLayer(l, weights: w, biases: [Double](repeating: 0, count: sizes[l + 1]))
    }
  }

  /// PyTorch's default `nn.Linear` initialisation for every layer, drawn in
  /// layer order (weights, then biases). Extra trailing parameters untouched.
  public func initializePyTorchDefault(rng: inout Xoshiro256) {
    for l in 0..<layerCount {
      let (w, b) = Initializers.pytorchDefaultLinear(fanIn: sizes[l], fanOut: sizes[l + 1], rng: &rng)
      setLayer(l, weights: w, biases: b)
    }
  }
}
