// The experiment layer, as one import for the command line and the tests: the manifest
// language (Manifests), running (Running) and analysis (Analysis), each its own target
// with imports one way (Manifests ← Running ← Analysis; ArchitectureTests checks them).
@_exported import Analysis
@_exported import Manifests
@_exported import Running
