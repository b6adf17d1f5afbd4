import Foundation
import Testing
import TestSupport

/// `--partition 0/3, 1/3, 2/3` into three workdirs, merged with `cn-manifest merge`, must give
/// the same items and records as one unpartitioned run.
@Suite struct PartitionMergeTests {
    @Test func mergedPartitionsEqualOneRun() throws {
        let common = ["--items", "300", "--bytes", "1024", "--fail-every", "37", "--seed", "5", "--progress", "never"]
        let whole = TestPaths.scratchFolder("whole")
        #expect(try ChildProcess.run("cn-test-stage", ["--workdir", whole.path] + common).status == 0)

        var parts: [String] = []
        var listed = 0
        for index in 0..<3 {
            let folder = TestPaths.scratchFolder("part\(index)")
            let result = try ChildProcess.run("cn-test-stage", ["--workdir", folder.path, "--partition", "\(index)/3"] + common)
            #expect(result.status == 0, "partition \(index): \(result.stderr)")
            let count = try WorkdirSnapshot.sqlite(folder.appendingPathComponent("manifest.sqlite").path, "SELECT COUNT(*) FROM work")
            listed += Int(count.first ?? "0") ?? 0
            parts.append(folder.path)
        }
        #expect(listed == 300, "partitions must cover every item exactly once")

        let merged = TestPaths.scratchFolder("merged")
        let result = try ChildProcess.run("cn-manifest", ["merge"] + parts + ["--into", merged.path])
        #expect(result.status == 0, "merge failed: \(ChildProcess.report(result))")
        let expected = try WorkdirSnapshot(whole, tables: comparedTables)
        let actual = try WorkdirSnapshot(merged, tables: comparedTables)
        #expect(actual.files == expected.files)
        #expect(actual.tables == expected.tables)
        let runs = try WorkdirSnapshot.sqlite(merged.appendingPathComponent("manifest.sqlite").path, "SELECT partition FROM run ORDER BY id")
        #expect(runs == ["0/3", "1/3", "2/3"])

        let again = try ChildProcess.run("cn-manifest", ["merge"] + parts + ["--into", merged.path])
        #expect(again.status == 0, "merging the same workdirs twice must be idempotent: \(ChildProcess.report(again))")
        #expect(try WorkdirSnapshot(merged, tables: comparedTables) == expected)
    }
}
