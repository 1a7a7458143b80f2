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
    // The vocabulary every stage shares, MuJoCo-free: the settings table, presets,
    // tasks, run results and identity, JSON, SHA-256, atomic files.
    .target(name: "RunModel"),
    .target(
      name: "Environments",
      dependencies: ["CMuJoCo", "ReproRandom", "RunModel"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    // Float dense-layer kernels in C, one version per x86-64 level chosen at load
    // time; every version gives the same bits (NeuralNet's Kernels.swift is the reference).
    .target(name: "CKernels"),
    .target(name: "NeuralNet", dependencies: ["ReproRandom", "CKernels"]),
    .target(
      name: "Algorithms",
      dependencies: ["RunModel", "Environments", "NeuralNet", "ReproRandom"],
      swiftSettings: mujocoInclude
    ),
    .target(name: "Statistics", dependencies: ["ReproRandom"]),
    .target(name: "Reports", dependencies: ["Statistics", "RunModel"]),
    // The manifest language: manifests, scales, claims, grids, figure claims, expansion into runs.
    .target(name: "Manifests", dependencies: ["RunModel", "Statistics"]),
    // Running: the runner and its workers, progress, the result store, run leases, golden
    // files, preflight checks, run costs and Slurm scripts.
    .target(name: "Running", dependencies: ["RunModel", "Reports", "Manifests"]),
    // Analysis: report assembly, archives, continuing from archives, planning and sequential
    // designs, the fidelity comparison. No MuJoCo in any of the three.
    .target(name: "Analysis", dependencies: ["RunModel", "Statistics", "Reports", "Manifests", "Running"]),
    // The three above as one import (the command line and the tests).
    .target(name: "Experiments", dependencies: ["Manifests", "Running", "Analysis"]),
    // The command line, as a library so that tests can call it; `repro` is its main.
    .target(
      name: "ReproCLI",
      dependencies: ["RunModel", "Environments", "NeuralNet", "Algorithms", "Experiments", "Statistics", "Reports", "ReproRandom"],
      swiftSettings: mujocoInclude
    ),
    .executableTarget(
      name: "repro",
      dependencies: ["ReproCLI"],
      linkerSettings: mujocoLink
    ),
    // Helpers shared by the test targets (snapshot files, temporary folders).
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(name: "ReproRandomTests", dependencies: ["ReproRandom"], resources: [.copy("Fixtures")]),
    .testTarget(name: "RunModelTests", dependencies: ["RunModel"]),
    .testTarget(
      name: "EnvironmentsTests",
      dependencies: ["Environments", "CMuJoCo", "RunModel"],
      resources: [.copy("Fixtures")],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet"]),
    .testTarget(
      name: "AlgorithmsTests",
      dependencies: ["Algorithms", "Environments", "RunModel", "NeuralNet", "ReproRandom"],
      exclude: ["Fixtures"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
    .testTarget(
      name: "ExperimentsTests",
      dependencies: ["Experiments", "RunModel", "Reports", "Statistics", "TestSupport"],
      exclude: ["Fixtures", "Snapshots"]
    ),
    .testTarget(name: "StatisticsTests", dependencies: ["Statistics"]),
    .testTarget(
      name: "ReportsTests",
      dependencies: ["Reports", "Statistics", "RunModel", "TestSupport"],
      exclude: ["Snapshots"]
    ),
    .testTarget(
      name: "ReproCLITests",
      dependencies: ["ReproCLI", "RunModel", "Environments", "Algorithms", "NeuralNet", "ReproRandom", "Experiments", "TestSupport"],
      exclude: ["Snapshots"],
      swiftSettings: mujocoInclude,
      linkerSettings: mujocoLink
    ),
  ]
)
