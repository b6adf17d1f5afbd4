/// The first pass of the restricted unpickler: every global the stream names, GLOBAL and
/// STACK_GLOBAL alike, checked against the policy before a single opcode is interpreted.
/// STACK_GLOBAL takes its module and name from the stack; Python's pickler always pushes them as
/// literal strings (or memo gets of such strings) right before it (`pickle.py` `save_global`), so
/// they are resolved statically here and a stream that computes them any other way is refused.
enum PickleGlobalScan {
    /// Throws `unsafe-pickle` naming the first global outside the policy.
    static func check(_ program: PickleProgram, source: String) throws {
        var memoStrings: [Int: String] = [:]
        var memoSize = 0
        var memoKeys = Set<Int>()
        var recent: [String?] = []

        func remember(_ slot: Int) {
            if !memoKeys.contains(slot) { memoKeys.insert(slot); memoSize += 1 }
            if let top = recent.last, let s = top { memoStrings[slot] = s } else { memoStrings[slot] = nil }
        }

        for (op, offset) in program.ops {
            switch op {
            case .global(let module, let name):
                guard PickleGlobal(module: module, name: name) != nil else {
                    throw CheckpointError.unsafeGlobal(source, "\(module).\(name)")
                }
                recent = [nil]
            case .stackGlobal:
                guard recent.count >= 2, let module = recent[recent.count - 2], let name = recent[recent.count - 1] else {
                    throw CheckpointError.unsafeOpcode(source, "STACK_GLOBAL without literal module and name strings", at: offset)
                }
                guard PickleGlobal(module: module, name: name) != nil else {
                    throw CheckpointError.unsafeGlobal(source, "\(module).\(name)")
                }
                recent = [nil]
            case .string(let s):
                recent.append(s)
                if recent.count > 2 { recent.removeFirst() }
            case .get(let slot):
                recent.append(memoStrings[slot])
                if recent.count > 2 { recent.removeFirst() }
            case .put(let slot):
                remember(slot)
            case .memoize:
                remember(memoSize)
            default:
                recent = [nil]
            }
        }
    }
}
