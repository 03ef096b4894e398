// The labels Compose v2 puts on what it creates; compose finds its containers again by
// them (there is no other record), so they are the contract with `docker compose`.

public enum ComposeLabel {
    public static let project = "com.docker.compose.project"
    public static let service = "com.docker.compose.service"
    public static let containerNumber = "com.docker.compose.container-number"
    public static let oneoff = "com.docker.compose.oneoff"
    public static let configHash = "com.docker.compose.config-hash"
    public static let image = "com.docker.compose.image"
    public static let dependsOn = "com.docker.compose.depends_on"
    public static let workingDir = "com.docker.compose.project.working_dir"
    public static let configFiles = "com.docker.compose.project.config_files"
    public static let version = "com.docker.compose.version"
    public static let network = "com.docker.compose.network"
    public static let volume = "com.docker.compose.volume"
    public static let slug = "com.docker.compose.slug"

    /// The version we answer to `compose version` and write in labels.
    public static let composeVersion = "2.29.0-swiftbox"

    /// Labels of a service's container number n.
    public static func container(project: Project, service: Service, number: Int, imageID: String?, oneOff: Bool = false) -> [String: String] {
        var l = service.labels
        l[ComposeLabel.project] = project.name
        l[ComposeLabel.service] = service.name
        l[ComposeLabel.containerNumber] = String(number)
        l[ComposeLabel.oneoff] = oneOff ? "True" : "False"
        l[ComposeLabel.configHash] = ConfigHash.of(service)
        if let imageID { l[ComposeLabel.image] = imageID }
        l[ComposeLabel.workingDir] = project.workingDir
        l[ComposeLabel.configFiles] = project.composeFiles.joined(separator: ",")
        l[ComposeLabel.version] = composeVersion
        // depends_on as Compose writes it: name:condition:restart, comma-separated.
        l[ComposeLabel.dependsOn] = service.dependsOn.keys.sorted().map { "\($0):\(service.dependsOn[$0]!.condition.rawValue):\(service.dependsOn[$0]!.restart)" }.joined(separator: ",")
        return l
    }

    /// `<project>-<service>-<n>`, or container_name.
    public static func containerName(project: String, service: Service, number: Int) -> String {
        service.containerName ?? "\(project)-\(service.name)-\(number)"
    }
}
