import Foundation
import Testing
import Support
import TestSupport
@testable import Datasets


/// Reads every record of a file as strings with its line number.
func readAll(_ path: String, chunkSize: Int = 4 << 20) throws -> [(line: Int, fields: [String], problem: String?)] {
    let reader = try CSVReader(path: path, chunkSize: chunkSize)
    var rows: [(line: Int, fields: [String], problem: String?)] = []
    while try reader.next() { rows.append((reader.lineNumber, reader.strings(), reader.structuralProblem)) }
    return rows
}

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("quoting, CRLF, embedded newlines, BOM, blank lines and line numbers")
    func rfc4180() throws {
        let text = "\u{FEFF}a,b,c\r\n1,\"x, y\",3\r\n\r\n\"multi\nline\",\"say \"\"hi\"\"\",\n4,5,6"
        for chunk in [1024, 7, 3, 2, 1] {  // tiny chunks force every record across a refill
            let rows = try readAll(writeSample(text), chunkSize: chunk)
            #expect(rows.map(\.fields) == [["a", "b", "c"], ["1", "x, y", "3"], ["multi\nline", "say \"hi\"", ""], ["4", "5", "6"]])
            #expect(rows.map(\.line) == [1, 2, 4, 6])
            #expect(rows.allSatisfy { $0.problem == nil })
        }
    }

    @Test("structural problems are reported, not fatal")
    func broken() throws {
        let rows = try readAll(writeSample("a,b\n\"x\"junk,2\n3,4\n\"open,5\n"))
        #expect(rows.count == 4)
        #expect(rows[1].problem == "text after a closing quote")
        #expect(rows[2].fields == ["3", "4"])
        #expect(rows[2].line == 3)
        #expect(rows[3].problem == "unterminated quoted field")
    }

    @Test("round trip of random RFC 4180 files at several chunk sizes")
    func randomRoundTrip() throws {
        var random = SeededRandom(seed: 42)
        let alphabet: [String] = ["a", "b", ",", "\"", "\n", "\r\n", " ", "é", "0", "."]
        for trial in 0..<20 {
            var rows: [[String]] = []
            for _ in 0..<(1 + random.integer(below: 30)) {
                rows.append((0..<(1 + random.integer(below: 6))).map { _ in
                    (0..<random.integer(below: 8)).map { _ in alphabet[random.integer(below: alphabet.count)] }.joined()
                })
            }
            // A lone empty field is a blank line, which readers skip: keep such rows out.
            rows = rows.filter { !($0.count == 1 && $0[0].isEmpty) }
            let newline = trial % 2 == 0 ? "\n" : "\r\n"
            let text = rows.map { row in
                row.map { field in
                    field.contains(where: { ",\"\r\n".contains($0) }) || field.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" })
                        ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
                }.joined(separator: ",")
            }.joined(separator: newline) + (trial % 3 == 0 ? "" : newline)
            for chunk in [1, 2, 5, 64, 4096] {
                let read = try readAll(writeSample(text), chunkSize: chunk)
                #expect(read.map(\.fields) == rows, "trial \(trial), chunk \(chunk)")
                #expect(read.allSatisfy { $0.problem == nil })
            }
        }
    }

    @Test("fast numbers match strtod")
    func numbers() {
        for text in ["0.012500", "1", "0.999999", "-3.5", "1e-3", "nan", "0.1234567890123456789"] {
            let parsed = Array(text.utf8).withUnsafeBufferPointer { FastNumber.double($0) }
            let expected = Double(text)!
            #expect(parsed == expected || (parsed?.isNaN == true && expected.isNaN))
        }
        for bad in ["", "abc", "1.2.3", "-"] {
            #expect(Array(bad.utf8).withUnsafeBufferPointer { FastNumber.double($0) } == nil)
        }
        #expect(Array("000a1b2c3d4e5f6f".utf8).withUnsafeBufferPointer { FastNumber.hex64($0) } == 0x000a1b2c3d4e5f6f)
    }
}
