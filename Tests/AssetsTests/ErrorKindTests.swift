import Assets
import Testing

/// The failure kinds recorded in manifests are a vocabulary: renaming one breaks saved audits.
@Suite struct AssetErrorKindTests {
    @Test func kindsArePinned() {
        #expect(AssetError.Reason.allCases.map(\.rawValue) == ["bad-accessor", "bad-glb", "bad-gltf", "bad-index", "bad-node-hierarchy", "bad-obj", "bad-ply", "bad-transform", "degenerate-mesh", "file-too-large", "missing-file", "non-finite-data", "not-a-mesh", "texture-too-large", "time-limit", "too-many-triangles", "unreadable-texture", "unsupported-extension", "unsupported-format", "unsupported-version", "uri-escapes-folder"])
        #expect(AssetError(.badGLB, message: "x").kind == "bad-glb")
    }
}
