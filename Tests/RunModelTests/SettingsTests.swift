import Foundation
import RunModel
import XCTest

/// The settings table: one row per setting, and everything derived from it.
final class SettingsTests: XCTestCase {
  /// The neutral values are frozen (see Settings.swift): a stored run's identity
  /// lists only the settings that differ from them, so moving one would give two
  /// different runs one identity. A new setting is added to this list with its
  /// neutral value; an existing value never changes.
  func testNeutralValuesArePinned() throws {
    guard case let .object(pinned) = try JSONParser.parse(Self.pinnedNeutralValues) else { return XCTFail("an object") }
    for (key, value) in pinned { XCTAssertEqual(TrainerConfig().value(of: key), value, "the neutral value of \(key) moved") }
    XCTAssertEqual(Set(pinned.map(\.key)), Set(Settings.builtIn.map(\.key)), "pin the neutral value of every new setting here")
    XCTAssertEqual(TrainerConfig().nonNeutralSettings, .object([]))
  }

  static let pinnedNeutralValues = """
    {"activation":"tanh","adamEpsilon":1e-05,"advantageNormalization":true,"algorithm":"ppo","cgDamping":0.1,
    "cgIterations":10,"clipActions":false,"clipEpsilon":0.2,"diagnosticsEvery":10,"entropyCoefficient":0,
    "fisherFraction":0.1,"gaeLambda":0.95,"gamma":0.99,"gradientClip":null,"hiddenSizes":[64,64],
    "initialization":"orthogonal","iterations":488,"klBound":0.04,"klBoundFinal":null,"learningRateAnnealing":true,
    "lineSearchAcceptRatio":0.1,"lineSearchSteps":10,"minibatches":32,"observationClip":10,
    "observationNormalization":true,"policyEpochs":10,"policyLR":0.0003,"resetEachIteration":true,"rewardClip":10,
    "rewardNormalization":"returns","stepsPerIteration":2048,"valueClipping":true,"valueEpochs":10,"valueLR":0.00025,
    "valueLossMaskEpisodeEnds":true,
    "timeLimit":"bootstrap","batchEndBootstrap":"nextState","valueClipEpsilon":null,"fisherSubsetRounding":"rounded",
    "heldOutUpdatesFilters":false,
    "jointLoss":false,"valueLossCoefficient":1,"observationNormalizer":"zFilter","recordEpisodeReturns":false,
    "resetSeeding":"repro"}
    """

  /// Pins one identity's canonical text and hash: a change here orphans every stored run.
  func testIdentityHashIsPinned() {
    var c = TrainerConfig()
    c.ppo.clipEpsilon = 1e32
    c.gamma = 0.98
    let id = RunIdentity(task: "Hopper", seed: 7, config: c)
    XCTAssertEqual(id.json.canonical, #"{"identity":2,"seed":7,"settings":{"clipEpsilon":1e+32,"gamma":0.98},"task":"Hopper"}"#)
    XCTAssertEqual(id.hash, "be1475bf64b81ab6b58796d6537d9b533d0d5f847670c9249a18e8adf6aece7b")  // sha256sum of the line above, without its newline
    // A custom model file enters the identity; without one (nil), the identity above is unchanged.
    let custom = RunIdentity(task: "Hopper", seed: 7, config: c, model: ModelIdentity(file: "hopper.xml", sha256: String(repeating: "ab", count: 32)))
    XCTAssertEqual(custom.json.canonical, #"{"identity":2,"model":{"file":"hopper.xml","sha256":"\#(String(repeating: "ab", count: 32))"},"seed":7,"settings":{"clipEpsilon":1e+32,"gamma":0.98},"task":"Hopper"}"#)
    XCTAssertNotEqual(custom.hash, id.hash)
    XCTAssertEqual(try RunIdentity(json: custom.json), custom)
  }

  func testEveryFieldHasExactlyOneRowAndEveryRowReachesItsField() throws {
    XCTAssertEqual(Set(Settings.keys).count, Settings.keys.count, "keys are unique")
    // Writing a non-neutral value through each row changes the config and shows in the identity.
    let probe: [SettingType: JSONValue] = [
      .number: .double(0.123), .integer: .int(3), .boolean: .bool(false), .optionalNumber: .double(0.5),
      .integerList: .array([.int(7)]),
    ]
    for d in Settings.table {
      var c = TrainerConfig()
      let value: JSONValue
      switch d.type {
      case .choice(let options): value = .string(options.first { JSONValue.string($0) != d.neutralValue }!)
      case .boolean: value = .bool(!(d.neutralValue == .bool(true)))
      default: value = probe[d.type]!
      }
      try c.set(d.key, json: value)
      XCTAssertNotEqual(c, TrainerConfig(), d.key)
      XCTAssertEqual(c.value(of: d.key), value, d.key)
      XCTAssertEqual(c.nonNeutralSettings, .object([(d.key, value)]), d.key)
      XCTAssertEqual(try TrainerConfig(settings: c.nonNeutralSettings), c, d.key)
    }
  }

  func testTextAndJSONFollowOneRule() throws {
    // Off is null (or off, none, null as text); -1 is a value like any other, which a bound refuses.
    for text in ["off", "none", "null"] {
      var c = TrainerConfig()
      try c.set("rewardClip", to: text)
      XCTAssertNil(c.rewardClip, text)
    }
    for json in ["-1", "-1.0", "-1e0"] {
      var c = TrainerConfig()
      try c.set("gradientClip", json: try JSONParser.parse(json))
      try c.set("rewardClip", to: json)
      XCTAssertEqual(c.rewardClip, -1, json)
      XCTAssertEqual(c.problems().map(\.key), ["rewardClip", "gradientClip"], json)
      XCTAssertEqual(c.problems().first?.message, "must be positive, or off (null; --set KEY=off), got -1.0")
    }
    var c = TrainerConfig()
    try c.set("hiddenSizes", to: "32, 16")
    XCTAssertEqual(c.hiddenSizes, [32, 16])
    try c.set("clipEpsilon", to: "1e32")
    XCTAssertEqual(c.ppo.clipEpsilon, 1e32)
    try c.set("klBoundFinal", json: .double(0.07))
    XCTAssertEqual(c.trpo.klBoundFinal, 0.07)
    XCTAssertThrowsError(try c.set("valueClipping", json: .int(1))) { e in
      XCTAssertEqual("\(e)", "valueClipping: expected true or false")
    }
    XCTAssertThrowsError(try c.set("minibatches", json: .double(4.5))) { e in
      XCTAssertEqual("\(e)", "minibatches: expected an integer")
    }
    XCTAssertThrowsError(try c.set("policyLr", to: "1")) { e in
      XCTAssertEqual("\(e)", "policyLr: unknown setting; did you mean 'policyLR'? (`repro train --list-settings` lists all \(Settings.keys.count) with their documentation)")
    }
    XCTAssertThrowsError(try c.set("nope", to: "1")) { e in
      XCTAssertTrue("\(e)".hasPrefix("nope: unknown setting; valid settings: iterations, "), "\(e)")
    }
  }

  /// Every numeric setting has a range in the settings table: a negative value is refused
  /// by `problems()`, except where the table documents negatives as meaningful.
  func testEveryNumericSettingChecksItsRange() throws {
    let negativesMeaningful: Set<String> = ["entropyCoefficient"]  // "negative values penalise entropy"
    for d in Settings.table {
      switch d.type {
      case .number, .integer, .optionalNumber: break
      default: continue
      }
      for bad in [-1.0, -1e9] where !negativesMeaningful.contains(d.key) {
        var c = TrainerConfig()
        try c.set(d.key, json: d.type == .integer ? .int(Int(bad)) : .double(bad))
        XCTAssertTrue(c.problems().contains { $0.key == d.key }, "\(d.key) = \(bad) is accepted")
      }
    }
  }

  func testProblemsAreListedInTableOrder() {
    var c = TrainerConfig()
    c.ppo.policyLR = -1
    c.gamma = 2
    c.minibatches = 5000
    XCTAssertEqual(c.problems().map(\.key), ["gamma", "minibatches", "policyLR"])
    XCTAssertEqual(c.problems()[1].message, "must be in 1...stepsPerIteration (2048), got 5000")
  }

  func testEveryRowIsDocumentedAndGrouped() {
    for d in Settings.table {
      XCTAssertGreaterThan(d.documentation.count, 10, d.key)
      XCTAssertTrue(d.documentation.hasSuffix("."), "\(d.key): end the documentation with a period")
    }
    // The paper's Section 3 optimizations carry their reference.
    XCTAssertEqual(Settings.table.filter { $0.paperReference != nil }.map(\.key), [
      "valueClipping", "rewardNormalization", "initialization", "learningRateAnnealing", "rewardClip",
      "observationNormalization", "observationClip", "activation", "gradientClip",
    ])
  }

  func testScoreDefinitions() {
    let returns: [Double?] = [1, nil, 3, 5, nil]
    XCTAssertEqual(ScoreDefinition(method: .lastMean, iterations: 2).score(of: returns), 4)
    XCTAssertEqual(ScoreDefinition(method: .lastMean, iterations: 10).score(of: returns), 3)
    XCTAssertEqual(ScoreDefinition(method: .max, iterations: 1).score(of: returns), 5)
    XCTAssertNil(ScoreDefinition.authors.score(of: [nil, nil]))
  }

  /// CleanRL's benchmark score: the mean of the last N episodic returns, across
  /// iteration boundaries; all of them when fewer; none when no episode was recorded.
  /// Exact: the sums below are of small integers.
  func testLastEpisodesScore() {
    func iteration(_ i: Int, _ returns: [Double]?) -> IterationMetrics {
      var m = IterationMetrics(iteration: i)
      m.episodeReturns = returns
      m.episodes = returns?.count ?? 0
      m.meanReturn = returns.flatMap { $0.isEmpty ? nil : $0.reduce(0, +) / Double($0.count) }
      return m
    }
    let its = [iteration(0, [1, 2, 3]), iteration(1, []), iteration(2, [10]), iteration(3, [20, 30])]
    XCTAssertEqual(ScoreDefinition(method: .lastEpisodes, iterations: 3).score(ofIterations: its), 20)  // 10, 20, 30
    XCTAssertEqual(ScoreDefinition(method: .lastEpisodes, iterations: 4).score(ofIterations: its), 63.0 / 4)  // 3, 10, 20, 30
    XCTAssertEqual(ScoreDefinition.cleanRL.score(ofIterations: its), 66.0 / 6)
    XCTAssertNil(ScoreDefinition.cleanRL.score(ofIterations: [iteration(0, nil), iteration(1, [])]))
    // The iteration-based methods read the per-iteration means, as before.
    XCTAssertEqual(ScoreDefinition(method: .lastMean, iterations: 2).score(ofIterations: its), 17.5)  // 10 and 25
    XCTAssertEqual(ScoreDefinition.cleanRL.episodes, 100)
    XCTAssertNil(ScoreDefinition.cleanRL.score(of: [1, 2]), "the episodes are needed")
  }
}
