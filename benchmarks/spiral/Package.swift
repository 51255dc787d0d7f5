// swift-tools-version: 6.0
// The training-throughput benchmark: the engine's `Network.train` on the 3-class spiral,
// built in release mode against the main package by path. Kept out of the main package so
// that `swift build` and `swift test` there never compile it.
import PackageDescription

let package = Package(
  name: "spiral-bench",
  dependencies: [.package(name: "lesson", path: "../..")],
  targets: [
    .executableTarget(name: "spiral-bench", dependencies: [.product(name: "Backprop", package: "lesson")])
  ],
  swiftLanguageModes: [.v6]
)
