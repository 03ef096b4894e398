// HEALTHCHECK NONE, or HEALTHCHECK [--interval=…] [--timeout=…] [--start-period=…]
// [--start-interval=…] [--retries=N] CMD command (exec or shell form). Durations are Go
// durations and must be 0 or at least 1ms; retries must not be negative. As BuildKit,
// NONE ignores flags (it never reads them) but refuses arguments.

enum HealthcheckParser {
    static func parse(_ line: InstructionLine) throws -> HealthcheckSpec? {
        let (type, commandText) = line.arguments.splitAtFirstBlankRun()
        if type.isEmpty { throw ParseFailure("HEALTHCHECK requires at least one argument") }
        let (arguments, isJSON) = try ArgumentForms.jsonOrShell(commandText ?? "")
        let upperType = type.uppercased()
        if upperType == "NONE" {
            if !arguments.isEmpty { throw ParseFailure("HEALTHCHECK NONE takes no arguments") }
            return nil
        }
        var flags = InstructionFlags([
            "interval": .string, "timeout": .string, "start-period": .string, "start-interval": .string,
            "retries": .string,
        ])
        try flags.read(line.flags)
        guard upperType == "CMD" else { throw ParseFailure("Unknown type \(goQuoted(upperType)) in HEALTHCHECK (try CMD)") }
        if arguments.isEmpty { throw ParseFailure("Missing command after HEALTHCHECK CMD") }

        var spec = HealthcheckSpec(test: isJSON ? ["CMD"] + arguments : ["CMD-SHELL", arguments[0]])
        spec.interval = try interval(flags, "interval")
        spec.timeout = try interval(flags, "timeout")
        spec.startPeriod = try interval(flags, "start-period")
        spec.startInterval = try interval(flags, "start-interval")
        if let text = flags.string("retries"), !text.isEmpty {
            guard let retries = Int32(text.hasPrefix("+") ? String(text.dropFirst()) : text) else {
                let reason = text.allSatisfy({ $0.isNumber || $0 == "-" || $0 == "+" }) && !text.isEmpty
                    ? "value out of range" : "invalid syntax"
                throw ParseFailure("strconv.ParseInt: parsing \(goQuoted(text)): \(reason)")
            }
            if retries < 0 { throw ParseFailure("--retries cannot be negative (\(retries))") }
            spec.retries = Int(retries)
        }
        return spec
    }

    /// A duration flag: nil when absent, else 0 or at least 1ms.
    private static func interval(_ flags: InstructionFlags, _ name: String) throws -> Int64? {
        guard let text = flags.string(name), !text.isEmpty else { return nil }
        let nanoseconds: Int64
        do {
            nanoseconds = try GoDuration.parse(text)
        } catch let error as GoDuration.Invalid {
            throw ParseFailure(error.message)
        }
        if nanoseconds != 0 && nanoseconds < 1_000_000 {
            throw ParseFailure("Interval \(goQuoted(name)) cannot be less than 1ms")
        }
        return nanoseconds
    }
}
