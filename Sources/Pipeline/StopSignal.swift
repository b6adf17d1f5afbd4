import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT / SIGTERM handling for stages: the first signal asks the runner to stop claiming
/// items, let the ones in flight finish for up to `RunOptions.stopGrace` seconds, hand back
/// those still running to pending, commit and exit with 128 + the signal; a second SIGINT exits
/// at once (the manifest stays consistent because every commit is one transaction).
public enum StopSignal {
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers (idempotent).
    public static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if StopSignal.received.exchange(signal, ordering: .relaxed) != 0, signal == SIGINT {
                _exit(130)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        sigaction(SIGTERM, &action, nil)
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigaddset(&unblock, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// The signal received so far (0 when none).
    public static var pending: Int32 { received.load(ordering: .relaxed) }
}
