// Project names as Compose v2 treats them: they prefix containers, networks and volumes,
// so they must be lowercase letters, digits, '-' and '_' and start with a letter or
// digit. A directory name is normalized to that; a name the user gave (-p,
// COMPOSE_PROJECT_NAME, name:) must already be valid.

public enum ProjectName {
    public static func normalize(_ raw: String) -> String {
        let lowered = raw.lowercased().filter { c in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_") }
        return String(lowered.drop { !($0.isLetter || $0.isNumber) })
    }

    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && normalize(name) == name
    }

    public static func validate(_ name: String, source: String) throws -> String {
        guard isValid(name) else {
            throw ComposeError("invalid project name \"\(name)\" (from \(source)): it must contain only lowercase letters, decimal digits, dashes and underscores, and begin with a lowercase letter or decimal digit")
        }
        return name
    }
}
