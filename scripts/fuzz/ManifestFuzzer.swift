// libFuzzer entry point over manifest validation: every input is decoded as a
// manifest and, when accepted, expanded at every scale and size-checked, as
// `repro run` does before it trains. Built and run by scripts/fuzz/manifest-fuzz.sh.
import Experiments
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func manifestFuzzerTestOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
  let data = Data(bytes: bytes, count: count)
  guard let m = try? Manifest.decode(data, file: "fuzz.json") else { return 0 }
  for scale in m.scales {
    guard let e = try? m.expand(scale: scale.name) else { continue }
    _ = try? Preflight.checkSize(e, allowLarge: false)
  }
  return 0
}
