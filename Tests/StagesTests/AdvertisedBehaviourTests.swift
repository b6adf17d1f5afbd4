import Foundation
import Testing
import TestSupport

/// Behaviours the README and docs/CONTRACTS.md advertise that had no test (issue 15, item 4): exit
/// status 2 on usage errors, `cn-run --dry-run` and `--from`, `cn-manifest stats` and `export`,
/// the saved queries on a populated manifest, the external captioner's time limit, and two
/// different stages running at once on one workdir.
@Suite(.serialized) struct AdvertisedBehaviourTests {
    static let stageExecutables = ["cn-ingest", "cn-extract", "cn-render", "cn-synthesize", "cn-compose", "cn-caption", "cn-shard"]

    /// The Open Images pipeline (Pipelines/openimages.yaml on a 4-object fixture) run to the end,
    /// with the pipeline file, built once.
    static let populated: Result<(workdir: URL, pipeline: String), SetupFailure> = {
        do {
            let source = TestPaths.scratchFolder("adv-source"), workdir = TestPaths.scratchFolder("adv-populated")
            let fixture = try ChildProcess.run("cn-fixture", ["openimages", "--out", source.path, "--count", "4", "--seed", "6"])
            guard fixture.status == 0 else { throw SetupFailure(text: "cn-fixture: \(ChildProcess.report(fixture))") }
            let text = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("Pipelines/openimages.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "/data/openimages", with: source.path)
            let pipeline = source.appendingPathComponent("openimages.yaml").path
            try text.write(toFile: pipeline, atomically: true, encoding: .utf8)
            let run = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--progress", "never"])
            guard run.status == 0 else { throw SetupFailure(text: "cn-run: \(ChildProcess.report(run))") }
            return .success((workdir, pipeline))
        } catch let failure as SetupFailure { return .failure(failure) } catch { return .failure(SetupFailure(text: "\(error)")) }
    }()

    func sqlite(_ workdir: URL, _ sql: String) throws -> [[String]] {
        try WorkdirSnapshot.sqlite(workdir.appendingPathComponent("manifest.sqlite").path, sql)
            .map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Unknown flags, missing required options and malformed values are usage errors: exit 2,
    /// with a message on stderr, for every stage and for cn-run, cn-manifest, cn-fixture.
    @Test func usageErrorsExitWithTwo() throws {
        let workdir = TestPaths.scratchFolder("usage")
        for tool in Self.stageExecutables {
            let subcommand = tool == "cn-ingest" ? ["objaverse", "--root", workdir.path] : []
            for (label, arguments) in [("unknown flag", subcommand + ["--workdir", workdir.path, "--no-such-flag"]),
                                       ("missing --workdir", subcommand),
                                       ("malformed --jobs", subcommand + ["--workdir", workdir.path, "--jobs", "many"]),
                                       ("malformed --partition", subcommand + ["--workdir", workdir.path, "--partition", "3/2"])] {
                let result = try ChildProcess.run(tool, arguments)
                #expect(result.status == 2 && !result.stderr.isEmpty, "\(tool) with \(label): \(ChildProcess.report(result))")
            }
        }
        for (tool, arguments) in [("cn-run", ["--workdir", workdir.path]), ("cn-run", ["x.yaml", "--workdir", workdir.path, "--bogus"]),
                                  ("cn-manifest", ["no-such-command"]), ("cn-manifest", ["query", "--workdir", workdir.path]),
                                  ("cn-fixture", ["objaverse"]), ("cn-ingest", ["elsewhere", "--workdir", workdir.path])] {
            let result = try ChildProcess.run(tool, arguments)
            #expect(result.status == 2 && !result.stderr.isEmpty, "\(tool) \(arguments): \(ChildProcess.report(result))")
        }
        #expect(!FileManager.default.fileExists(atPath: workdir.appendingPathComponent("manifest.sqlite").path), "a usage error must not create a manifest")
    }

    /// --dry-run prints one command per selected step and runs nothing; --from / --to / --only
    /// select steps; a real run --from a later step runs only that step and the ones after it.
    @Test func cnRunDryRunAndFrom() throws {
        let (_, pipeline) = try Self.populated.get()
        let workdir = TestPaths.scratchFolder("dryrun")
        func dry(_ extra: [String]) throws -> [String] {
            let result = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--dry-run"] + extra)
            #expect(result.status == 0, "\(ChildProcess.report(result))")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        let all = try dry([])
        #expect(all.count == 5, "\(all)")
        let tools = ["cn-ingest", "cn-extract", "cn-synthesize", "cn-caption", "cn-shard"]
        for (line, tool) in zip(all, tools) {
            #expect(line.split(separator: " ").first?.hasSuffix(tool) == true && line.contains("--workdir \(workdir.path)"), "\(line)")
        }
        #expect(try dry(["--from", "synthesize"]).map { String($0.split(separator: " ")[0].split(separator: "/").last!) } == ["cn-synthesize", "cn-caption", "cn-shard"])
        #expect(try dry(["--from", "extract", "--to", "synthesize"]).count == 2)
        #expect(try dry(["--only", "caption"]).count == 1)
        #expect((try FileManager.default.contentsOfDirectory(atPath: workdir.path)).isEmpty, "--dry-run must not touch the workdir")
        let unknown = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--from", "nowhere", "--dry-run"])
        #expect(unknown.status != 0 && unknown.stderr.contains("nowhere"), "\(ChildProcess.report(unknown))")

        let first = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--to", "extract", "--progress", "never"])
        #expect(first.status == 0, "\(ChildProcess.report(first))")
        let rest = try ChildProcess.run("cn-run", [pipeline, "--workdir", workdir.path, "--from", "synthesize", "--to", "caption", "--progress", "never"])
        #expect(rest.status == 0, "\(ChildProcess.report(rest))")
        #expect(rest.stdout.contains("[1/2] synthesize") && rest.stdout.contains("[2/2] caption") && !rest.stdout.contains("extract:"), "\(rest.stdout)")
        let runs = try sqlite(workdir, "SELECT stage, COUNT(*) FROM run GROUP BY stage ORDER BY stage")
        #expect(runs == [["caption", "1"], ["extract", "1"], ["ingest-openimages", "1"], ["synthesize", "1"]], "each stage ran once: \(runs)")
    }

    /// `cn-manifest stats` lists every stage's items per status and every table's row count, as
    /// the sqlite3 shell counts them; `export` writes a table or a query as CSV and JSON with
    /// the table's columns and rows.
    @Test func manifestStatsAndExport() throws {
        let (workdir, _) = try Self.populated.get()
        let stats = try ChildProcess.run("cn-manifest", ["stats", "--workdir", workdir.path])
        #expect(stats.status == 0, "\(ChildProcess.report(stats))")
        let lines = stats.stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init).filter { $0 != "|" } }
        for row in try sqlite(workdir, "SELECT stage, SUM(status = 'done'), COUNT(*) FROM work GROUP BY stage") {
            #expect(lines.contains { $0.first == row[0] && $0.contains(row[1]) }, "stats lacks \(row): \(stats.stdout)")
        }
        for table in ["image", "object", "extraction", "novel_view", "caption", "sample", "shard"] {
            let count = try sqlite(workdir, "SELECT COUNT(*) FROM \(table)")[0][0]
            #expect(count != "0" && lines.contains { $0.first == table && $0.last == count }, "stats: \(table) should have \(count) rows: \(stats.stdout)")
        }

        let columns = try sqlite(workdir, "SELECT name FROM pragma_table_info('sample') ORDER BY cid").map { $0[0] }
        let ids = try sqlite(workdir, "SELECT id FROM sample ORDER BY id").map { $0[0] }
        let csvPath = workdir.appendingPathComponent("samples.csv").path
        let csv = try ChildProcess.run("cn-manifest", ["export", "--workdir", workdir.path, "--table", "sample", "--out", csvPath])
        #expect(csv.status == 0 && csv.stdout.contains("exported \(ids.count) rows"), "\(ChildProcess.report(csv))")
        let python = try Python.interpreter(importing: ["csv"])
        let read = try ProcessRunner.run(python, ["-c", "import csv, json, sys; rows = list(csv.DictReader(open(sys.argv[1]))); print(json.dumps([list(rows[0].keys()), [r['id'] for r in rows]]))", csvPath])
        let parsed = try JSONSerialization.jsonObject(with: read.stdout) as? [[String]]
        #expect(parsed?.first == columns && parsed?.last == ids, "CSV read by Python's csv module: \(String(decoding: read.stdout, as: UTF8.self)) \(read.stderr)")

        let json = try ChildProcess.run("cn-manifest", ["export", "--workdir", workdir.path, "--sql", "SELECT id, split, caption FROM sample ORDER BY id", "--format", "json"])
        #expect(json.status == 0, "\(ChildProcess.report(json))")
        let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let expected = try sqlite(workdir, "SELECT id, split, caption FROM sample ORDER BY id")
        #expect(objects?.count == expected.count)
        for (object, row) in zip(objects ?? [], expected) {
            #expect("\(object["id"] ?? "")" == row[0] && object["split"] as? String == row[1] && object["caption"] as? String == row[2], "\(object) vs \(row)")
        }
        let writing = try ChildProcess.run("cn-manifest", ["export", "--workdir", workdir.path, "--sql", "DELETE FROM sample"])
        let remaining = try sqlite(workdir, "SELECT COUNT(*) FROM sample")[0][0]
        #expect(writing.status != 0 && remaining == "\(ids.count)", "export must refuse to write: \(ChildProcess.report(writing))")
    }

    /// A saved query's rows (`cn-manifest query --saved NAME --format json`).
    func saved(_ name: String, _ workdir: URL) throws -> [[String: String]] {
        let result = try ChildProcess.run("cn-manifest", ["query", "--saved", name, "--workdir", workdir.path, "--format", "json"])
        #expect(result.status == 0, "\(name): \(ChildProcess.report(result))")
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]] ?? []
        return rows.map { $0.mapValues { value in
            if let number = value as? NSNumber, !(value is Bool) { return number.doubleValue == number.doubleValue.rounded() ? "\(number.intValue)" : "\(number.doubleValue)" }
            return value is NSNull ? "" : "\(value)"
        } }
    }

    /// Rows as "key1|key2|..." -> the integer in column `count`.
    func counted(_ rows: [[String: String]], keys: [String], count: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for row in rows {
            let key = keys.map { row[$0] ?? "" }.joined(separator: "|")
            out[key] = Int(row[count] ?? "") ?? -1
        }
        return out
    }

    /// Every saved query (Manifests/queries) on the populated manifest, its rows checked against
    /// the same aggregates computed here from the raw rows and the shard indexes.
    @Test func savedQueriesOnAPopulatedManifest() throws {
        let (workdir, _) = try Self.populated.get()
        // stage-progress
        var progress: [String: [Int]] = [:]
        for row in try sqlite(workdir, "SELECT stage, status, attempts FROM work") {
            var counts = progress[row[0]] ?? [0, 0, 0, 0, 0]
            if let i = ["done", "failed", "skipped", "pending"].firstIndex(of: row[1]) { counts[i] += 1 }
            if Int(row[2])! > 1 { counts[4] += 1 }
            progress[row[0]] = counts
        }
        let stageRows = try saved("stage-progress", workdir)
        #expect(stageRows.count == progress.count && progress.count >= 5)
        for row in stageRows {
            let got = ["done", "failed", "skipped", "pending", "retried"].map { Int(row[$0] ?? "") ?? -1 }
            #expect(progress[row["stage"] ?? ""] == got, "stage-progress \(row)")
        }
        // failures-by-stage
        var failures: [String: Int] = [:]
        for row in try sqlite(workdir, "SELECT stage, status, COALESCE(error_kind, '') FROM work WHERE status IN ('failed', 'skipped')") {
            failures[row.joined(separator: "|"), default: 0] += 1
        }
        let failureRows = try saved("failures-by-stage", workdir)
        #expect(!failures.isEmpty, "the fixture's defective objects must leave failures")
        #expect(counted(failureRows, keys: ["stage", "status", "error_kind"], count: "items") == failures)
        // split-sizes, against the shard indexes written beside the tars
        var indexed: [String: (samples: Int, shards: Int)] = [:]
        let shardFolder = workdir.appendingPathComponent("shards")
        for name in try FileManager.default.contentsOfDirectory(atPath: shardFolder.path) where name.hasSuffix(".json") {
            let index = try JSONSerialization.jsonObject(with: Data(contentsOf: shardFolder.appendingPathComponent(name))) as? [String: Any]
            let split = String(name.split(separator: "-")[0])
            let count = (index?["sample_count"] as? Int) ?? (index?["samples"] as? Int) ?? (index?["count"] as? Int) ?? -1
            indexed[split] = ((indexed[split]?.samples ?? 0) + count, (indexed[split]?.shards ?? 0) + 1)
        }
        var sources: [String: Set<String>] = [:]
        for row in try sqlite(workdir, "SELECT split, source FROM sample") {
            sources[row[0], default: []].insert(row[1].split(separator: "/").prefix(2).joined(separator: "/"))
        }
        let splitRows = try saved("split-sizes", workdir)
        #expect(splitRows.count == indexed.count && !indexed.isEmpty)
        for row in splitRows {
            let split = row["split"] ?? ""
            #expect(row["kind"] == "openimages" && Int(row["samples"] ?? "") == indexed[split]?.samples && Int(row["shards"] ?? "") == indexed[split]?.shards
                    && Int(row["sources"] ?? "") == sources[split]?.count, "split-sizes \(row) vs indexes \(String(describing: indexed[split]))")
        }
        // class-balance
        var classes: [String: [Int]] = [:]
        let extracted = Set(try sqlite(workdir, "SELECT object_id FROM extraction").map { $0[0] })
        let sampleSources = try sqlite(workdir, "SELECT source FROM sample WHERE kind = 'openimages'").map { $0[0] }
        for row in try sqlite(workdir, "SELECT o.id, o.label, o.accepted, COALESCE(c.name, o.label) FROM object o LEFT JOIN class c ON c.label = o.label") {
            var counts = classes[row[3]] ?? [0, 0, 0, sampleSources.filter { $0.contains("/object/" + row[1].replacingOccurrences(of: "/", with: "")) }.count]
            counts[0] += 1
            counts[1] += Int(row[2]) ?? 0
            counts[2] += extracted.contains(row[0]) ? 1 : 0
            classes[row[3]] = counts
        }
        let classRows = try saved("class-balance", workdir)
        #expect(classRows.count == classes.count && !classes.isEmpty)
        for row in classRows {
            #expect(classes[row["class"] ?? ""] == ["objects", "accepted", "extracted", "samples"].map { Int(row[$0] ?? "") ?? -1 }, "class-balance \(row)")
        }
        // caption-sources
        var captions: [String: (count: Int, subjects: Set<String>)] = [:]
        for row in try sqlite(workdir, "SELECT subject_kind, source, subject_id FROM caption") {
            let key = row[0] + "|" + row[1]
            captions[key] = ((captions[key]?.count ?? 0) + 1, (captions[key]?.subjects ?? []).union([row[2]]))
        }
        let captionRows = try saved("caption-sources", workdir)
        #expect(captionRows.count == captions.count && !captions.isEmpty)
        for row in captionRows {
            let key = (row["subject_kind"] ?? "") + "|" + (row["source"] ?? "")
            #expect(Int(row["captions"] ?? "") == captions[key]?.count && Int(row["subjects"] ?? "") == captions[key]?.subjects.count, "caption-sources \(row)")
        }
        // pose-distribution: bins of the samples' T, computed here
        var bins: [String: Int] = [:]
        for row in try sqlite(workdir, "SELECT kind, printf('%!.17g', polar), printf('%!.17g', az_sin), printf('%!.17g', az_cos) FROM sample") {
            // Full precision (printf %!.17g: the shell prints 15 digits): integer-degree poses such as 25 degrees sit exactly on a bin edge.
            let polar = Int((Double(row[1])! * (180 / Double.pi) / 10).rounded() * 10)
            let azimuth = Int((atan2(Double(row[2])!, Double(row[3])!) * (180 / Double.pi) / 30).rounded() * 30)
            bins["\(row[0])|\(polar)|\(azimuth)", default: 0] += 1
        }
        let poseRows = try saved("pose-distribution", workdir)
        #expect(counted(poseRows, keys: ["kind", "polar_deg_bin", "azimuth_deg_bin"], count: "samples") == bins)
    }

    /// An external captioner that never answers is stopped at `time_limit`: every subject fails
    /// with 'captioner-timeout', the stage still exits 0, long before the command would end.
    @Test func externalCaptionerTimeLimit() throws {
        let s = try StageKillResumeTests.shared.get()
        let workdir = try KillResume.copy(s.composed, "timeout")
        let script = workdir.appendingPathComponent("sleepy.py")
        try "import sys, time\nsys.stdin.read()\ntime.sleep(120)\n".write(to: script, atomically: true, encoding: .utf8)
        let python = try Python.interpreter(importing: ["json"])
        let pipeline = workdir.appendingPathComponent("caption.yaml")
        try """
            steps:
              - stage: caption
                run: [cn-caption]
                config: {command: [\(String(reflecting: python)), \(String(reflecting: script.path))], batch_size: 100, time_limit: 2}
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let clock = Date()
        let run = try ChildProcess.run("cn-caption", ["--workdir", workdir.path, "--config", pipeline.path, "--jobs", "1", "--progress", "never"])
        let seconds = Date().timeIntervalSince(clock)
        #expect(run.status == 0, "\(ChildProcess.report(run))")
        #expect(seconds < 60, "the time limit of 2 s did not stop the command (\(seconds) s)")
        let rows = try sqlite(workdir, "SELECT status, error_kind, COUNT(*) FROM work WHERE stage = 'caption' GROUP BY status, error_kind")
        let compositions = try sqlite(workdir, "SELECT COUNT(*) FROM composition")[0][0]
        #expect(rows == [["failed", "captioner-timeout", compositions]], "\(rows)")
    }

    /// cn-render and cn-extract started together on one workdir (two processes, one manifest)
    /// both finish, and the workdir equals the one the two stages leave when run one after the other.
    @Test func twoStagesAtOnceOnOneWorkdir() throws {
        let s = try StageKillResumeTests.shared.get()
        let base = try KillResume.copy(s.ingested, "together-base")
        let ingest = try ChildProcess.run("cn-ingest", ["openimages", "--root", s.openImagesSource.path, "--workdir", base.path, "--progress", "never"])
        #expect(ingest.status == 0, "\(ChildProcess.report(ingest))")
        let sequential = try KillResume.copy(base, "sequential"), together = try KillResume.copy(base, "together")
        let flags = ["--config", s.config, "--jobs", "2", "--seed", "5", "--progress", "never"]
        for tool in ["cn-render", "cn-extract"] {
            let result = try ChildProcess.run(tool, flags + ["--workdir", sequential.path])
            #expect(result.status == 0, "\(tool): \(ChildProcess.report(result))")
        }
        let render = try ChildProcess("cn-render", flags + ["--workdir", together.path])
        let extract = try ChildProcess("cn-extract", flags + ["--workdir", together.path])
        let (rendered, extracted) = (render.wait(), extract.wait())
        #expect(rendered.status == 0, "cn-render: \(ChildProcess.report(rendered))")
        #expect(extracted.status == 0, "cn-extract: \(ChildProcess.report(extracted))")
        #expect(try KillResume.manifestRows(together) == (try KillResume.manifestRows(sequential)), "rows differ from the sequential runs")
        #expect(try WorkdirSnapshot(together, tables: [:]).files == (try WorkdirSnapshot(sequential, tables: [:]).files), "files differ from the sequential runs")
        let runs = try sqlite(together, "SELECT stage, exit_status FROM run WHERE stage IN ('render', 'extract') ORDER BY stage")
        #expect(runs == [["extract", "0"], ["render", "0"]], "\(runs)")
    }
}
