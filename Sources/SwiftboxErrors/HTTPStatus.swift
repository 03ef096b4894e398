// The HTTP status of a failed request, as the Docker Engine API answers it (moby's
// errdefs → httpstatus): 404 for an object that does not exist, 409 for a conflict
// with the state, 400 for a bad parameter, 500 for the rest. The API face (issue #19,
// part 2) answers every error through this one function.

extension SwiftboxError {
    public var httpStatus: Int {
        switch code {
        case .notFound: return 404
        case .conflict: return 409
        // A command that cannot be found or executed is a bad parameter of the
        // container's config: dockerd answers the start with 400 (its start errors
        // are "invalid parameter" when the runtime names the executable).
        case .invalidArgument, .commandNotFound, .commandNotExecutable: return 400
        case .startFailed, .containerExit, .internal: return 500
        }
    }
}
