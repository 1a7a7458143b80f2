// swift-tools-version: 6.0
// Repro: a deterministic reproduction harness for "Implementation Matters in
// Deep Policy Gradients" (Engstrom, Ilyas et al., ICLR 2020).
// No package dependencies: the toolchain, Foundation and MuJoCo 3.3.7 (from
// its PyPI wheel, unpacked into .deps/ by `make deps`).
import PackageDescription
import Foundation

/// Absolute path of the package root, so that the rpath baked into every
/// binary points at `.deps/lib` and no LD_LIBRARY_PATH is needed.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
let deps = "\(root)/.deps"

/// Clang flags for anything that imports CMuJoCo (the headers live in .deps).
let mujocoInclude: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-I\(deps)/include"])]
/// Link flags: -L and an rpath into .deps/lib.
let mujocoLink: [LinkerSetting] = [
  .linkedLibrary("mujoco"),
  .unsafeFlags(["-L\(deps)/lib", "-Xlinker", "-rpath", "-Xlinker", "\(deps)/lib"]),
]

let package = Package(
  name: "Repro",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "repro", targets: ["repro"]),
  ],
  targets: [
    // C module over MuJoCo 3.3.7's headers; links libmujoco.
    .target(
      name: "CMuJoCo",
      cSettings: [.unsafeFlags(["-I\(deps)/include"])],
      linkerSettings: mujocoLink
    ),
    // Seeded random streams (SplitMix64 seeding, xoshiro256**): no global RNG anywhere.
    .target(name: "ReproRandom"),
    .target(
      name: "Environments",
      dependencies: ["CMuJoCo", "ReproRandom"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .target(name: "NeuralNet", dependencies: ["ReproRandom"]),
    .target(
      name: "Algorithms",
      dependencies: ["Environments", "NeuralNet", "ReproRandom"],
      swiftSettings: mujocoInclude
    ),
    .target(
      name: "Experiments",
      dependencies: ["Algorithms"],
      swiftSettings: mujocoInclude
    ),
    .target(name: "Statistics", dependencies: ["ReproRandom"]),
    .target(
      name: "Reports",
      dependencies: ["Statistics", "Experiments"],
      swiftSettings: mujocoInclude
    ),
    .executableTarget(
      name: "repro",
      dependencies: ["Environments", "NeuralNet", "Algorithms", "Experiments", "Statistics", "Reports"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(name: "ReproRandomTests", dependencies: ["ReproRandom"]),
    .testTarget(
      name: "EnvironmentsTests",
      dependencies: ["Environments"],
      resources: [.copy("Fixtures")],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
    .testTarget(
      name: "AlgorithmsTests",
      dependencies: ["Algorithms", "Environments"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(
      name: "ExperimentsTests",
      dependencies: ["Experiments"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
    .testTarget(
      name: "ReportsTests",
      dependencies: ["Reports", "Statistics", "Experiments"],
      exclude: ["Snapshots"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
  ]
)
