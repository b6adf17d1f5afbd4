import Tensor

/// Several tensor sources seen as one, each under a name prefix, as a diffusers folder is several
/// files (`unet/diffusion_pytorch_model.safetensors`, `vae/...`) whose keys diffusers'
/// `DiffusionPipeline.from_pretrained` addresses per component. Two parts yielding one name is an
/// error.
public struct CombinedSource: TensorSource {
    private let parts: [any TensorSource]
    private let owner: [String: (part: Int, key: String)]
    private let sortedKeys: [String]

    /// `sources[i]`'s keys appear as `prefixes[i]` + key (empty prefixes by default).
    public init(_ sources: [any TensorSource], prefixes: [String]? = nil) throws {
        let prefixes = prefixes ?? Array(repeating: "", count: sources.count)
        guard prefixes.count == sources.count else {
            throw TensorError(kind: "bad-arguments", "\(sources.count) sources but \(prefixes.count) prefixes; give one prefix per source")
        }
        var owner: [String: (part: Int, key: String)] = [:]
        for (i, source) in sources.enumerated() {
            for key in source.keys {
                let name = prefixes[i] + key
                if let previous = owner[name] {
                    throw TensorError(kind: "duplicate-key", "\(name) comes from both source \(previous.part) and source \(i); give them distinct prefixes")
                }
                owner[name] = (i, key)
            }
        }
        parts = sources
        self.owner = owner
        sortedKeys = owner.keys.sorted()
    }

    public var keys: [String] { sortedKeys }

    public func shape(of key: String) -> [Int]? { owner[key].flatMap { parts[$0.part].shape(of: $0.key) } }

    public func tensor(_ key: String) throws -> Tensor {
        guard let (part, inner) = owner[key] else { throw TensorError(kind: "missing-key", "no tensor named \(key)") }
        return try parts[part].tensor(inner)
    }
}
