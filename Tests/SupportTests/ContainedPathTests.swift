import Testing
import Support

/// The shared path validator: what stays inside a root and what is refused, with one-line reasons.
@Suite("Contained paths")
struct ContainedPathTests {
    @Test("relative names and sub-paths pass; escapes, absolute paths and control bytes do not")
    func verdicts() throws {
        for good in ["a1b2c3d4e5f60718_m04yx4_9a041d52.png", "textures/wood.png", "a..b.png", "./x.png", "dir/./x"] {
            #expect(ContainedPath.isContained(good), "\(good)")
        }
        let bad: [(String, PathEscape.Reason)] = [
            ("../../../../tmp/x/evil.png", .parentComponent), ("a/../../b", .parentComponent), ("..", .parentComponent),
            ("/etc/passwd", .absolute), ("", .empty), ("a\\..\\b", .backslash), ("a\u{0}b", .controlCharacter),
            ("a\nb", .controlCharacter), (String(repeating: "a", count: 5000), .tooLong),
        ]
        for (path, reason) in bad {
            #expect(throws: PathEscape(reason, what: "MaskPath", path: path)) { try ContainedPath.check(path, what: "MaskPath") }
        }
        #expect(!ContainedPath.isContained("a/b", singleComponent: true))
        #expect(!ContainedPath.isContained(".", singleComponent: true))
        #expect(ContainedPath.isContained("0001eeaf4aed83f9_m0cmf2_b2c3d4e5", singleComponent: true))
        let error = try #require(throws: PathEscape.self) { try ContainedPath.check("../x", what: "zip entry") }
        #expect(error.kind == "path-escapes-root" && !error.message.contains("\n") && error.message.contains("zip entry"))
    }
}

/// The per-item deadline and cancellation token the loaders poll.
@Suite("Deadline")
struct DeadlineTests {
    @Test("no limit never throws; a passed limit throws time-limit; cancellation throws interrupted")
    func causes() throws {
        try Deadline.none.check()
        try Deadline(seconds: 60).check()
        try Deadline(seconds: .nan).check()
        let passed = try #require(throws: DeadlineExceeded.self) { try Deadline(seconds: 0).check() }
        #expect(passed.kind == "time-limit")
        let stopped = try #require(throws: DeadlineExceeded.self) { try Deadline(seconds: nil, cancelled: { true }).check() }
        #expect(stopped.kind == "interrupted")
    }
}
