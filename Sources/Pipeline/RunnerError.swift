import Support

/// Why a stage could not run at all (item failures are recorded, never thrown).
public enum RunnerError: DescribedError {
    /// Another process holds this stage's lock on the workdir.
    case busy(stage: String, workdir: String, pid: String)
    /// Anything else that stops the run before it starts: missing input, bad config ...
    case cannotRun(String)

    public var kind: String {
        switch self {
        case .busy: "stage-busy"
        case .cannotRun: "cannot-run"
        }
    }

    public var message: String {
        switch self {
        case .busy(let stage, let workdir, let pid):
            "stage '\(stage)' is already running on \(workdir) (pid \(pid)); wait for it to finish, or use --partition with separate workdirs to run in parallel"
        case .cannotRun(let reason):
            reason
        }
    }
}
