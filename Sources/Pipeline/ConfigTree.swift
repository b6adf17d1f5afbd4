import Yams

/// A step's `config:` as a plain YAML tree, so that a `Decodable` pipeline file keeps it whole
/// for the stage to decode into its own `StageConfiguration` (mlx-swift-examples keeps raw
/// configuration the same way until the model type that owns it decodes it).
indirect enum ConfigTree: Decodable, Equatable {
    /// `~`, `null` or an empty value.
    case null
    /// A scalar's text (its type is resolved again when the stage decodes it).
    case scalar(String)
    /// A list.
    case sequence([ConfigTree])
    /// A mapping, in document order.
    case mapping([Pair])

    /// One key and value of a mapping.
    struct Pair: Equatable {
        let key: String
        let value: ConfigTree
    }

    /// Decodes whatever node is there: a mapping, a list, null or a scalar.
    init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: AnyCodingKey.self) {
            self = .mapping(try keyed.allKeys.map { Pair(key: $0.stringValue, value: try keyed.decode(ConfigTree.self, forKey: $0)) })
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [ConfigTree] = []
            while !list.isAtEnd { items.append(try list.decode(ConfigTree.self)) }
            self = .sequence(items)
        } else {
            let single = try decoder.singleValueContainer()
            self = single.decodeNil() ? .null : .scalar(try single.decode(String.self))
        }
    }

    /// The tree as a YAML node (plain scalars, so the stage resolves their types as it would have).
    var node: Node {
        switch self {
        case .null: Node("~")
        case .scalar(let text): Node(text)
        case .sequence(let items): Node(items.map(\.node))
        case .mapping(let pairs): Node(pairs.map { (Node($0.key), $0.value.node) })
        }
    }
}

/// A coding key for any string or index, to list every key a mapping holds.
struct AnyCodingKey: CodingKey {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        intValue = nil
    }

    init(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}
