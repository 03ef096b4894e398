// swift-tools-version:5.9
// swiftbox: a daemonless container runtime that talks to the Linux kernel directly.
// Targets are layered bottom-up (see docs/architecture.md); arrows point one way:
//   swiftbox → SwiftboxCLI → SwiftboxRuntime → SwiftboxSecurity, SwiftboxCgroup, SwiftboxOCI
//                                            → SwiftboxKernel → CShim
//   SwiftboxDockerfile stands alone (only SwiftboxErrors): the Dockerfile frontend the builder reads.
//   SwiftboxErrors, at the bottom, has no dependencies: the error every caller sees.
import PackageDescription

let package = Package(
    name: "swiftbox",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "swiftbox", targets: ["swiftbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // C only where Swift cannot be used safely: the code that runs between clone(2)
        // and execve(2) in the container's first process.
        .target(name: "CShim"),
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp",
                       providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev", "nettle-dev"])]),
        .target(name: "CTLS", linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto"), .linkedLibrary("dl")]),
        // The one error the engine's callers see (code, message, cause) and its two
        // mappings: to Docker's exit codes (the CLI) and to HTTP statuses (the API).
        // No dependencies: every module conforms its own errors to it.
        .target(name: "SwiftboxErrors"),
        .target(name: "SwiftboxOCI"),
        .target(name: "SwiftboxImage", dependencies: ["SwiftboxErrors", "SwiftboxOCI", "SwiftboxKernel", "CArchive", "CShim", "CTLS"]),
        .target(name: "SwiftboxKernel", dependencies: ["CShim", "CArchive"]),
        .target(name: "SwiftboxSecurity", dependencies: ["SwiftboxOCI", "SwiftboxKernel", "CSeccomp", "CCap", "CShim"]),
        .target(name: "SwiftboxCgroup", dependencies: ["SwiftboxOCI", "SwiftboxKernel", "CShim"]),
        .target(name: "SwiftboxRuntime",
                dependencies: ["SwiftboxErrors", "SwiftboxOCI", "SwiftboxKernel", "SwiftboxSecurity", "SwiftboxCgroup", "CShim"]),
        .target(name: "SwiftboxNetwork", dependencies: ["SwiftboxErrors", "SwiftboxKernel", "CShim"]),
        .target(name: "SwiftboxEngine", dependencies: ["SwiftboxErrors", "SwiftboxNetwork", "SwiftboxRuntime", "SwiftboxCgroup", "SwiftboxImage", "SwiftboxOCI", "SwiftboxKernel", "SwiftboxSecurity", "CShim"]),
        // Compose: load, validate and plan a compose.yaml project (pure), and execute the
        // plan through the Engine protocol it owns (ComposeEngine).
        .target(name: "SwiftboxCompose", dependencies: ["SwiftboxErrors", .product(name: "Yams", package: "Yams")]),
        // Go's text/template (parser, evaluator, Docker's functions and table formatter) over
        // a JSON-like value tree: pure, so its tests need neither root nor the engine.
        .target(name: "SwiftboxTemplate"),
        // The Dockerfile frontend as BuildKit reads it: parser (directives, continuations,
        // heredocs, flags, every instruction), its shell-word lexer and .dockerignore
        // matching. Pure, so the builder and its tests need no engine.
        .target(name: "SwiftboxDockerfile", dependencies: ["SwiftboxErrors"]),
        // `swiftbox build`: Dockerfile stages executed on the engine (RUN as containers,
        // COPY into overlays), each step's result cached as an intermediate image.
        .target(name: "SwiftboxBuilder", dependencies: ["SwiftboxDockerfile", "SwiftboxEngine", "SwiftboxImage", "SwiftboxKernel", "CShim"]),
        .target(name: "SwiftboxCLI", dependencies: [
            "SwiftboxErrors",
            "SwiftboxEngine",
            "SwiftboxBuilder",
            "SwiftboxTemplate",
            "SwiftboxCompose",
            "SwiftboxNetwork",
            "SwiftboxRuntime",
            "SwiftboxImage",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "swiftbox", dependencies: ["SwiftboxCLI"]),
        .testTarget(name: "SwiftboxErrorsTests", dependencies: ["SwiftboxErrors", "SwiftboxEngine", "SwiftboxImage", "SwiftboxNetwork", "SwiftboxRuntime", "SwiftboxCompose", "SwiftboxDockerfile"]),
        .testTarget(name: "SwiftboxOCITests", dependencies: ["SwiftboxOCI"]),
        .testTarget(name: "SwiftboxRuntimeTests", dependencies: ["SwiftboxRuntime", "SwiftboxCgroup", "SwiftboxSecurity"]),
        .testTarget(name: "SwiftboxCLITests", dependencies: ["SwiftboxCLI"]),
        .testTarget(name: "SwiftboxTemplateTests", dependencies: ["SwiftboxTemplate"]),
        .testTarget(name: "SwiftboxEngineTests", dependencies: ["SwiftboxEngine", "SwiftboxErrors", "SwiftboxRuntime", "SwiftboxKernel"], exclude: ["Golden"]),
        .testTarget(name: "SwiftboxNetworkTests", dependencies: ["SwiftboxNetwork"]),
        .testTarget(name: "SwiftboxImageTests", dependencies: ["SwiftboxImage", "CArchive"]),
        .testTarget(name: "SwiftboxComposeTests", dependencies: ["SwiftboxCompose"], exclude: ["Golden"]),
        .testTarget(name: "SwiftboxBuilderTests", dependencies: ["SwiftboxBuilder"]),
        .testTarget(name: "SwiftboxDockerfileTests", dependencies: ["SwiftboxDockerfile"], exclude: ["Corpus"]),
        .testTarget(name: "PrivilegedTests", dependencies: ["CShim"]),
    ]
)
