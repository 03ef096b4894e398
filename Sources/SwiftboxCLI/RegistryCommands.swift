// pull, login, logout.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import SwiftboxImage

struct Pull: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pull", abstract: "Pull an image from a registry.")
    @OptionGroup var globals: EngineGlobals
    @Option(help: "os/arch[/variant] to choose from a multi-platform image (default linux/amd64).") var platform: String?
    @Option(name: .customLong("insecure-registry"), help: "Use plain HTTP for this registry (host[:port]); repeatable.") var insecureRegistry: [String] = []
    @Flag(name: [.short, .long], help: "Print only the image reference.") var quiet = false
    @Option(name: .customLong("tls-verify"), help: "true: HTTPS with certificate checks even for loopback registries; false: treat the registry as insecure. Default: Docker's rule.") var tlsVerify: Bool?
    @Argument var image: String

    func run() throws {
        let ref = try ImageReference.parse(image)
        var puller = ImagePuller(store: globals.images)
        puller.insecure = insecureRegistry
        puller.certsDirectory = globals.root + "/certs.d"
        if let tlsVerify { puller.tls = tlsVerify ? .verify : .insecure }
        if let platform {
            let p = platform.split(separator: "/").map(String.init)
            guard p.count >= 2 else { throw ValidationError("--platform \(platform): expected os/arch[/variant]") }
            puller.platform = Platform(architecture: p[1], os: p[0], variant: p.count > 2 ? p[2] : nil)
        }
        if quiet { puller.progress = nil }
        do {
            _ = try puller.pull(ref, credentials: Credentials(root: globals.root))
        } catch HTTPError.connect(let host, let why) {
            // Offline machines (ours reach no registry): say what failed and what works.
            throw ValidationError("cannot pull \(ref.familiar): the registry \(host) is not reachable (\(why)).\n"
                + "Without a registry, load the image from a file: swiftbox load -i FILE (a docker save tar or an OCI layout);\n"
                + "`make demo` loads the fixture images as busybox, alpine:3.23 and alpine:latest (rootfs-fixtures/load-fixtures.sh).")
        }
        print(ref.description)
    }
}

struct Login: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Store credentials for a registry (checked against it first).")
    @OptionGroup var globals: EngineGlobals
    @Option(name: [.short, .long]) var username: String
    @Option(name: [.short, .long], help: "The password (prefer --password-stdin).") var password: String?
    @Flag(name: .customLong("password-stdin")) var passwordStdin = false
    @Option(name: .customLong("tls-verify")) var tlsVerify: Bool?
    @Argument var server: String

    func run() throws {
        var secret = password
        if passwordStdin { secret = readLine(strippingNewline: true) }
        guard let secret, !secret.isEmpty else { throw ValidationError("a password is required (--password or --password-stdin)") }
        let entry = Credentials.Entry(user: username, password: secret)
        try RegistryClient(registry: server, credentials: entry, certsDirectory: globals.root + "/certs.d",
                           tls: tlsVerify.map { $0 ? .verify : .insecure } ?? .auto).ping()
        try Credentials(root: globals.root).store(entry, for: server)
        print("Login Succeeded")
    }
}

struct Logout: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Remove stored credentials for a registry.")
    @OptionGroup var globals: EngineGlobals
    @Argument var server: String
    func run() throws {
        if try Credentials(root: globals.root).remove(server) {
            print("Removing login credentials for \(server)")
        } else {
            print("Not logged in to \(server)")
        }
    }
}
