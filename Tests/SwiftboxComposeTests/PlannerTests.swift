import XCTest
@testable import SwiftboxCompose

/// Golden plans: the text `up --dry-run` prints, for each situation the issue names.
final class PlannerTests: XCTestCase {
    let yaml = """
    services:
      web:
        image: busybox
        command: httpd -f
        depends_on: {api: {condition: service_started, restart: true}}
      api:
        image: busybox
        depends_on: [db]
      db:
        image: busybox
        volumes: ["data:/data"]
      debug:
        image: busybox
        profiles: [debug]
    volumes:
      data:
    """

    func project(_ text: String? = nil) throws -> Project { try load(["compose.yaml": text ?? yaml]).0 }

    /// Containers as a previous `up` of `p` left them.
    func observed(_ p: Project, running: Bool = true, imageID: String = "sha256:1", replicas: [String: Int] = [:]) -> [ContainerSummary] {
        var out: [ContainerSummary] = []
        for name in p.serviceNames {
            let s = p.services[name]!
            for n in 1...(replicas[name] ?? s.replicas) {
                let cname = ComposeLabel.containerName(project: p.name, service: s, number: n)
                out.append(ContainerSummary(id: "id-\(cname)", name: cname, image: s.image!, imageID: imageID,
                                            labels: ComposeLabel.container(project: p, service: s, number: n, imageID: imageID),
                                            status: running ? .running : .exited))
            }
        }
        return out
    }

    func text(_ plan: Plan) -> String { plan.description }

    func testFirstUp() throws {
        let p = try project()
        let plan = try Planner(p).plan(observed: [], imageIDs: [:])
        XCTAssertEqual(plan.order, ["db", "api", "web"])
        XCTAssertEqual(text(plan), """
        Network demo_default  Create
        Volume demo_data  Create
        Container demo-db-1  Create
        Container demo-api-1  Create
        Container demo-web-1  Create
        """)
    }

    func testNoChange() throws {
        let p = try project()
        let plan = try Planner(p).plan(observed: observed(p), imageIDs: ["web": "sha256:1"], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertEqual(text(plan), """
        Container demo-db-1  Running
        Container demo-api-1  Running
        Container demo-web-1  Running
        """)
        let stopped = try Planner(p).plan(observed: observed(p, running: false), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertEqual(stopped.steps.map(\.action), [.start, .start, .start])
    }

    func testChangedImageAndConfig() throws {
        let p = try project()
        let plan = try Planner(p).plan(observed: observed(p), imageIDs: ["db": "sha256:2"], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertEqual(text(plan), """
        Container demo-db-1  Recreate (image changed)
        Container demo-api-1  Running
        Container demo-web-1  Running
        """)
        var changed = p
        changed.services["api"]!.command = ["sleep", "9"]
        let plan2 = try Planner(changed).plan(observed: observed(p), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertEqual(text(plan2), """
        Container demo-db-1  Running
        Container demo-api-1  Recreate (config changed)
        Container demo-web-1  Recreate (dependency api recreated)
        """)
        let noRecreate = try Planner(changed).plan(observed: observed(p), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: { var o = PlanOptions(); o.noRecreate = true; return o }())
        XCTAssertEqual(noRecreate.steps.map(\.action), [.keep, .keep, .keep])
        var force = PlanOptions()
        force.forceRecreate = true
        force.services = ["db"]
        force.noDeps = true
        let forced = try Planner(p).plan(observed: observed(p), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: force)
        XCTAssertEqual(text(forced), "Container demo-db-1  Recreate (forced)")
    }

    func testScaleUpAndDown() throws {
        let p = try project()
        var o = PlanOptions()
        o.scale = ["api": 3]
        let up = try Planner(p).plan(observed: observed(p), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: o)
        XCTAssertEqual(up.steps(for: "api").map(\.description), ["Container demo-api-1  Running", "Container demo-api-2  Create", "Container demo-api-3  Create"])
        XCTAssertEqual(up.steps(for: "web").map(\.action), [.keep], "scaling a dependency does not recreate")
        o.scale = ["api": 1]
        let down = try Planner(p).plan(observed: observed(p, replicas: ["api": 3]), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: o)
        XCTAssertEqual(down.steps(for: "api").map(\.description), ["Container demo-api-1  Running", "Container demo-api-2  Remove (scale down)", "Container demo-api-3  Remove (scale down)"])
        o.scale = ["api": 0]
        let zero = try Planner(p).plan(observed: observed(p), imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: o)
        XCTAssertEqual(zero.steps(for: "api").map(\.description), ["Container demo-api-1  Remove (scale down)"])
    }

    func testOrphans() throws {
        let p = try project()
        var old = observed(p)
        var gone = old[0]
        gone.id = "id-old"
        gone.name = "demo-old-1"
        gone.labels[ComposeLabel.service] = "old"
        old.append(gone)
        let warn = try Planner(p).plan(observed: old, imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertFalse(warn.steps.contains { $0.name == "demo-old-1" })
        XCTAssertTrue(warn.warnings.first?.contains("Found orphan containers (demo-old-1)") ?? false)
        var o = PlanOptions()
        o.removeOrphans = true
        let rm = try Planner(p).plan(observed: old, imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: o)
        XCTAssertEqual(rm.steps.last?.description, "Container demo-old-1  Remove (orphan)")
        // A disabled (profile) service's container is not an orphan.
        var dbg = old[0]
        dbg.labels[ComposeLabel.service] = "debug"
        dbg.name = "demo-debug-1"
        let withDebug = try Planner(p).plan(observed: observed(p) + [dbg], imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertTrue(withDebug.warnings.isEmpty)
    }

    func testSelectedServicesBringTheirDependencies() throws {
        let p = try project()
        var o = PlanOptions()
        o.services = ["api"]
        let plan = try Planner(p).plan(observed: [], imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], options: o)
        XCTAssertEqual(plan.order, ["db", "api"])
        o.noDeps = true
        XCTAssertEqual(try Planner(p).plan(observed: [], imageIDs: [:], options: o).order, ["api"])
        o.services = ["nope"]
        XCTAssertThrowsError(try Planner(p).plan(observed: [], imageIDs: [:], options: o))
    }

    func testProfilesEnableServices() throws {
        let p = try load(["compose.yaml": yaml]) { $0.profiles = ["debug"] }.0
        let plan = try Planner(p).plan(observed: [], imageIDs: [:], existingNetworks: ["demo_default"], existingVolumes: ["demo_data"])
        XCTAssertEqual(plan.order, ["db", "api", "debug", "web"])
    }

    func testDownPlan() throws {
        let p = try project()
        var obs = observed(p)
        var oneoff = obs[0]
        oneoff.name = "demo-db-run-abc"
        oneoff.id = "id-run"
        oneoff.labels[ComposeLabel.oneoff] = "True"
        oneoff.labels[ComposeLabel.service] = "db"
        obs.append(oneoff)
        let plan = Planner(p).downPlan(observed: obs, existingNetworks: ["demo_default"], existingVolumes: ["demo_data"], removeVolumes: false, removeOrphans: false)
        XCTAssertEqual(text(plan), """
        Container demo-web-1  Remove (down)
        Container demo-api-1  Remove (down)
        Container demo-db-1  Remove (down)
        Container demo-db-run-abc  Remove (one-off)
        Network demo_default  Remove
        """)
        let withVolumes = Planner(p).downPlan(observed: [], existingNetworks: [], existingVolumes: ["demo_data"], removeVolumes: true, removeOrphans: false)
        XCTAssertEqual(text(withVolumes), "Volume demo_data  Remove")
    }
}
