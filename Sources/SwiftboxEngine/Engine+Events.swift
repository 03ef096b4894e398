// Container events as Docker writes them: the actor's attributes are its name, its
// image and its labels, plus what the event adds (exitCode, signal).
extension Engine {
    public var events: EventJournal { EventJournal(root: root) }

    /// Record `action` for container `id` (best effort: events never fail an operation).
    /// `config`: the container's, when the caller holds it (saves reading it again).
    public func event(_ action: String, id: String, _ extra: [String: String] = [:], config: EngineContainer? = nil) {
        let c = config ?? (try? store.config(id))
        var attributes = c?.labels ?? [:]
        if let c {
            attributes["name"] = c.name
            attributes["image"] = c.image
        }
        attributes.merge(extra) { $1 }
        events.append(EngineEvent(type: "container", action: action, id: id, attributes: attributes))
    }
}

// Networks and volumes, as Docker records them: type "network" (create, connect,
// disconnect, destroy; attributes name, type and, for connect/disconnect, container)
// and type "volume" (create, destroy; attributes driver=local).
extension Engine {
    public func networkEvent(_ action: String, id: String, name: String, container: String? = nil) {
        var attributes = ["name": name, "type": "bridge"]
        if let container { attributes["container"] = container }
        events.append(type: "network", action: action, id: id, attributes: attributes)
    }

    public func volumeEvent(_ action: String, name: String) {
        events.append(type: "volume", action: action, id: name, attributes: ["driver": "local"])
    }
}
