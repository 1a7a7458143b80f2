import Experiments
import Foundation
import RunModel
import XCTest

/// Issue 23: docs/MANIFEST.md documents every key the decoder accepts and no other (the key
/// paths of its tables against `ManifestKeys`, the lists the decoder refuses other keys by), and
/// every example in it decodes: the first ```json block as a whole manifest, each later one as a
/// part of a manifest whose keys replace the first's, as the page says.
final class ManifestDocTests: XCTestCase {
  func doc() throws -> String {
    try String(contentsOf: repoRoot.appendingPathComponent("docs/MANIFEST.md"), encoding: .utf8)
  }

  /// The first cell of every table row that starts with a code span: `claims[].name` → claims[].name.
  func documentedKeys(_ text: String) -> [String] {
    text.split(separator: "\n").compactMap { line -> String? in
      guard line.hasPrefix("| `") else { return nil }
      let cell = line.dropFirst(3)
      return cell.firstIndex(of: "`").map { String(cell[..<$0]) }
    }
  }

  /// The bodies of the ```json blocks, in order.
  func jsonBlocks(_ text: String) -> [String] {
    text.components(separatedBy: "```").enumerated().compactMap { k, part in
      k % 2 == 1 && part.hasPrefix("json\n") ? String(part.dropFirst(5)) : nil
    }
  }

  func testEveryKeyTheDecoderAcceptsIsDocumentedAndNoOther() throws {
    let documented = documentedKeys(try doc())
    let accepted = ManifestKeys.paths
    XCTAssertEqual(accepted.count, Set(accepted).count, "a key listed twice in ManifestKeys")
    XCTAssertEqual(documented.count, Set(documented).count, "a key documented twice: \(documented)")
    XCTAssertEqual(Set(accepted).subtracting(documented).sorted(), [], "accepted by the decoder, not in docs/MANIFEST.md")
    XCTAssertEqual(Set(documented).subtracting(accepted).sorted(), [], "in docs/MANIFEST.md, refused by the decoder")
    XCTAssertTrue(documented.contains("claims[].smallestEffect") && documented.contains("grid.factors[].values"), "\(documented)")
  }

  func testEveryExampleDecodes() throws {
    let blocks = jsonBlocks(try doc())
    XCTAssertGreaterThanOrEqual(blocks.count, 9, "an example of each feature")
    guard let first = blocks.first, case let .object(base) = try JSONParser.parse(first) else {
      return XCTFail("the first example is a whole manifest")
    }
    let whole = try Manifest.decode(first, file: "docs/MANIFEST.md")
    XCTAssertTrue(whole.isStudy, "the whole example is a study of one's own")
    for (k, block) in blocks.enumerated().dropFirst() {
      guard case let .object(part) = try JSONParser.parse(block) else { XCTFail("example \(k + 1) is not an object"); continue }
      var members = base
      for (key, value) in part {
        if let i = members.firstIndex(where: { $0.key == key }) { members[i].value = value } else { members.append((key, value)) }
      }
      do {
        let m = try Manifest.decode(JSONValue.object(members).canonical, file: "docs/MANIFEST.md example \(k + 1)")
        XCTAssertEqual(m.isStudy, part.allSatisfy { $0.key != "citation" }, "example \(k + 1)")
      } catch {
        XCTFail("example \(k + 1) of docs/MANIFEST.md does not decode: \(error)\n\(block)")
      }
    }
  }
}
