import Support
import Yams

/// Reads pipeline files and step configurations without YAML aliases: a "billion laughs" alias
/// bomb (YAML 1.2 section 3.2.2.2: an alias stands for the whole anchored node) grows without
/// limit when its tree is walked, serialised or decoded, so an alias is refused with one line
/// before anything walks the expanded tree (issue 13, part 5).
public enum SafeYAML {
    /// Composes `text` into one node (nil for an empty document); aliases, syntax errors and
    /// several documents are one-line `ConfigError`s starting with `origin`.
    public static func compose(_ text: String, origin: String) throws -> Node? {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(message: "\(origin) is not valid YAML: \(oneLine(String(describing: error)))")
        }
        if let root, let alias = firstAlias(in: root) {
            throw ConfigError(message: "\(origin): YAML anchors and aliases are not accepted (an alias repeats the node at line \(alias.line), column \(alias.column)); write the values out")
        }
        return root
    }

    /// The source position of the first mapping or list met twice in document order. Yams
    /// composes an alias into the very node its anchor names, source mark included, while every
    /// other mapping or list starts at its own position; so a repeated mark is an alias, found
    /// at its first use, before any of its copies is walked. (Aliases of scalars cannot
    /// multiply and are not looked for: an empty value may share its mark with the next key.)
    static func firstAlias(in root: Node) -> (line: Int, column: Int)? {
        var seen = Set<Int>()
        var stack = [root]
        func repeated(_ mark: Mark?) -> Bool {
            guard let mark else { return false }
            return !seen.insert(mark.line << 32 | mark.column).inserted
        }
        while let node = stack.popLast() {
            switch node {
            case .mapping(let mapping):
                if repeated(mapping.mark) { return (mapping.mark?.line ?? 0, mapping.mark?.column ?? 0) }
                for (key, value) in mapping.reversed() { stack.append(value); stack.append(key) }
            case .sequence(let sequence):
                if repeated(sequence.mark) { return (sequence.mark?.line ?? 0, sequence.mark?.column ?? 0) }
                stack.append(contentsOf: sequence.reversed())
            default:
                break
            }
        }
        return nil
    }
}
