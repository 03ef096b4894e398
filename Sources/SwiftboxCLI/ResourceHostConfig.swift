// inspect's HostConfig resource fields, with Docker's names and zero values, so
// scripts that read `.HostConfig.Memory` or `.HostConfig.NanoCpus` get the same numbers.
import SwiftboxEngine

extension HealthText.HostConfigJSON {
    mutating func fillResources(from c: EngineContainer) {
        guard let r = c.resources else { return }
        Memory = max(0, r.memory?.limit ?? 0)
        MemorySwap = r.memory?.swap ?? 0
        MemoryReservation = r.memory?.reservation ?? 0
        if let n = c.nanoCPUs, n > 0 {
            NanoCpus = n   // --cpus: Docker shows it here and leaves quota and period at 0
        } else {
            CpuQuota = max(0, r.cpu?.quota ?? 0)
            CpuPeriod = Int64(r.cpu?.period ?? 0)
        }
        CpuShares = Int64(r.cpu?.shares ?? 0)
        CpusetCpus = r.cpu?.cpus ?? ""
        CpusetMems = r.cpu?.mems ?? ""
        PidsLimit = r.pids.map { $0.limit <= 0 ? -1 : $0.limit }
        BlkioWeight = Int(r.blockIO?.weight ?? 0)
        OomKillDisable = r.memory?.disableOOMKiller
    }
}
