import RunModel
import XCTest

/// The one nearest-match helper behind every "did you mean …".
final class SuggestionsTests: XCTestCase {
  func testDistanceCountsEditsAndSwapsIgnoringCase() {
    XCTAssertEqual(NameSuggestion.distance("", ""), 0)
    XCTAssertEqual(NameSuggestion.distance("", "abc"), 3)
    XCTAssertEqual(NameSuggestion.distance("valueCliping", "valueClipping"), 1, "one insertion")
    XCTAssertEqual(NameSuggestion.distance("trian", "train"), 1, "a swap of neighbours is one edit")
    XCTAssertEqual(NameSuggestion.distance("kitten", "sitting"), 3, "the textbook pair")
    XCTAssertEqual(NameSuggestion.distance("policyLr", "policyLR"), 0, "case is ignored")
    XCTAssertEqual(NameSuggestion.distance("abc", "xyz"), 3)
    // Symmetric.
    for (a, b) in [("gamma", "gama"), ("Hopper", "Hoper-v5"), ("table2", "tabel3")] {
      XCTAssertEqual(NameSuggestion.distance(a, b), NameSuggestion.distance(b, a), "\(a) \(b)")
    }
  }

  func testNearestKeepsOrderAndRefusesFarNames() {
    let tasks = ["Walker2d", "Hopper", "Humanoid"]
    XCTAssertEqual(NameSuggestion.nearest("Hoper", in: tasks), ["Hopper"])
    XCTAssertEqual(NameSuggestion.nearest("hopper", in: tasks), ["Hopper"], "a case-insensitive match is returned alone")
    XCTAssertEqual(NameSuggestion.nearest("Ant", in: tasks), [])
    XCTAssertEqual(NameSuggestion.nearest("Walk", in: tasks), ["Walker2d"], "a prefix of at least 3 characters")
    XCTAssertEqual(NameSuggestion.nearest("TRPO-", in: ["PPO", "TRPO+", "TRPO"]), ["TRPO+", "TRPO"], "ties, in the order given")
    XCTAssertEqual(NameSuggestion.nearest("SAC", in: ["PPO", "TRPO"]), [])
    XCTAssertEqual(NameSuggestion.nearest("x", in: []), [])
  }

  func testMessages() {
    XCTAssertEqual(NameSuggestion.didYouMean("trian", in: ["train", "run"]), "did you mean 'train'?")
    XCTAssertEqual(NameSuggestion.didYouMean("TRPO-", in: ["TRPO+", "TRPO"]), "did you mean 'TRPO+' or 'TRPO'?")
    XCTAssertNil(NameSuggestion.didYouMean("zzz", in: ["train", "run"]))
    XCTAssertEqual(NameSuggestion.hint(for: "Hoper", in: ["Hopper", "Walker2d"], listLabel: "expected one of"),
                   "did you mean 'Hopper'? (expected one of Hopper, Walker2d)")
    XCTAssertEqual(NameSuggestion.hint(for: "Ant", in: ["Hopper", "Walker2d"], listLabel: "expected one of"),
                   "expected one of Hopper, Walker2d")
    XCTAssertEqual(NameSuggestion.hint(for: "Hoper", in: ["Hopper"], listLabel: "tasks:", listHint: "see the docs"),
                   "did you mean 'Hopper'? (see the docs)")
  }

  /// `--set valueCliping=true` names the setting, not the 44.
  func testAMisspeltSettingSuggestsTheSettingInsteadOfListingAll() {
    var c = TrainerConfig()
    XCTAssertThrowsError(try c.set("valueCliping", to: "true")) { e in
      XCTAssertEqual("\(e)", "valueCliping: unknown setting; did you mean 'valueClipping'? "
                     + "(`repro train --list-settings` lists all \(Settings.keys.count) with their documentation)")
    }
  }
}
